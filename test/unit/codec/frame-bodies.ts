import { FRAME_PREFIX_LENGTH, readFrameLength } from '../../../src/tunnel/codec/index.js';

/** The bodies of the whole frames in `bytes`, in order; throws if the bytes end inside a frame. */
export function frameBodies(bytes: Uint8Array): Buffer[] {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodies: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    const start = offset + FRAME_PREFIX_LENGTH;
    const end = start + readFrameLength(data.subarray(offset, start));
    if (start > data.length || end > data.length) throw new Error(`the bytes end inside a frame at ${offset}`);
    bodies.push(data.subarray(start, end));
    offset = end;
  }
  return bodies;
}

/**
 * minicbor-io framing (PROTOCOL.md §3): a 4-byte big-endian length, then exactly that many
 * bytes holding one CBOR item. Both directions refuse lengths above 512 KiB.
 */
import { ProtocolError } from './protocol-error.js';

/** Bytes in the length prefix. */
export const FRAME_PREFIX_LENGTH = 4;

/** The largest frame body minicbor-io reads or writes by default (512 KiB). */
export const MAX_FRAME_LENGTH = 524_288;

/** Prefix and body in one buffer, so that a stream write puts the frame on the wire in one go. */
export function encodeFrame(body: Uint8Array): Buffer {
  if (body.length > MAX_FRAME_LENGTH) {
    throw new RangeError(`frame body of ${body.length} bytes exceeds the ${MAX_FRAME_LENGTH}-byte frame limit`);
  }
  const frame = Buffer.allocUnsafe(FRAME_PREFIX_LENGTH + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, FRAME_PREFIX_LENGTH);
  return frame;
}

/**
 * Reads a length prefix and checks it against the limit, so that a caller refuses an oversized
 * frame before it allocates or waits for the body.
 */
export function readFrameLength(prefix: Uint8Array, maxLength: number = MAX_FRAME_LENGTH): number {
  if (prefix.length < FRAME_PREFIX_LENGTH) {
    throw new RangeError(`a frame length prefix has ${FRAME_PREFIX_LENGTH} bytes, got ${prefix.length}`);
  }
  const length = new DataView(prefix.buffer, prefix.byteOffset, FRAME_PREFIX_LENGTH).getUint32(0, false);
  if (length > maxLength) {
    throw new ProtocolError('frame-too-large', `frame length ${length} exceeds the limit of ${maxLength} bytes`);
  }
  return length;
}

/**
 * A hand-driven yamux peer for wire-level tests: it records every byte our session writes and
 * sends whatever frames a test builds, including malformed ones.
 */
import { Session, type SessionOptions } from '../../../../src/tunnel/mux/session.js';
import {
  FrameType,
  HEADER_LENGTH,
  decodeFrameHeader,
  encodeFrameHeader,
  type FrameHeader,
} from '../../../../src/tunnel/mux/frame-header.js';
import { memoryPipe, type MemorySocket, type PipeEndOptions } from './memory-pipe.js';
import { until } from './session-pair.js';

export interface WireFrame extends FrameHeader {
  readonly body: Buffer;
  /** The frame's bytes exactly as written. */
  readonly bytes: Buffer;
}

export function frame(type: FrameType, flags: number, streamId: number, lengthOrBody: number | Buffer): Buffer {
  if (typeof lengthOrBody === 'number') return encodeFrameHeader({ type, flags, streamId, length: lengthOrBody });
  return Buffer.concat([encodeFrameHeader({ type, flags, streamId, length: lengthOrBody.length }), lengthOrBody]);
}

/** Splits a byte stream into frames (a trailing partial frame is left out). */
export function parseFrames(bytes: Buffer): WireFrame[] {
  const frames: WireFrame[] = [];
  let offset = 0;
  while (bytes.length - offset >= HEADER_LENGTH) {
    const header = decodeFrameHeader(bytes, offset);
    const bodyLength = header.type === FrameType.Data ? header.length : 0;
    if (bytes.length - offset - HEADER_LENGTH < bodyLength) break;
    const end = offset + HEADER_LENGTH + bodyLength;
    frames.push({ ...header, body: bytes.subarray(offset + HEADER_LENGTH, end), bytes: bytes.subarray(offset, end) });
    offset = end;
  }
  return frames;
}

export class RawPeer {
  received = Buffer.alloc(0);
  ended = false;
  readonly session: Session;
  readonly socket: MemorySocket;
  readonly sessionSocket: MemorySocket;

  /** `hangUp`: end our side when the session ends its side, as a yamux peer does after GoAway. */
  constructor(
    options: SessionOptions,
    pipe: { session?: PipeEndOptions; peer?: PipeEndOptions; hangUp?: boolean } = {},
  ) {
    const [sessionSocket, peerSocket] = memoryPipe(pipe.session, pipe.peer);
    this.sessionSocket = sessionSocket;
    this.socket = peerSocket;
    peerSocket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
    peerSocket.on('end', () => {
      this.ended = true;
      if (pipe.hangUp !== false) peerSocket.end();
    });
    peerSocket.on('error', () => undefined);
    this.session = new Session(sessionSocket, options);
  }

  frames(): WireFrame[] {
    return parseFrames(this.received);
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  /** Waits until at least `count` frames have arrived; returns them all. */
  async waitForFrames(count: number): Promise<WireFrame[]> {
    await until(() => this.frames().length >= count, `${count} frames from the session`);
    return this.frames();
  }

  /** Lets every pending write and delivery happen (a few turns of the event loop). */
  async settle(turns = 20): Promise<void> {
    for (let i = 0; i < turns; i += 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

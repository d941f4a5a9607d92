/**
 * Incremental frame decoder for push-style input (socket 'data' chunks, yamux payloads): feed it
 * chunks of any size, get back the complete frame bodies in order.
 *
 * Memory stays bounded: a length prefix is checked as soon as its 4 bytes are in, so an
 * oversized frame is refused before any of its body is held, and between calls the decoder
 * holds less than one prefix plus one maximal body.
 */
import { FRAME_PREFIX_LENGTH, MAX_FRAME_LENGTH, readFrameLength } from './frame-format.js';
import { ProtocolError } from './protocol-error.js';

export interface FrameDecoderOptions {
  /** Largest accepted body; defaults to the protocol's 524288 bytes. */
  readonly maxLength?: number;
}

export class FrameDecoder {
  readonly #maxLength: number;
  /** Unconsumed input, oldest first; views into the pushed chunks. */
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  /** Body length of the frame in progress, once its prefix has been read. */
  #bodyLength: number | null = null;
  /** After a refused prefix the stream position is lost: every later call fails the same way. */
  #failure: ProtocolError | null = null;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxLength = options.maxLength ?? MAX_FRAME_LENGTH;
  }

  /** Bytes held for the frame in progress (prefix and body so far). */
  get bufferedLength(): number {
    return this.#buffered + (this.#bodyLength === null ? 0 : FRAME_PREFIX_LENGTH);
  }

  /** True when no partial frame is held, i.e. the input so far ended on a frame boundary. */
  get atFrameBoundary(): boolean {
    return this.#buffered === 0 && this.#bodyLength === null;
  }

  /**
   * Adds input and returns every frame body it completes (copies; the chunk is not retained
   * beyond the frame in progress). Throws `ProtocolError('frame-too-large')` as soon as a prefix
   * above the limit is complete — unless frames before it completed in the same call: those are
   * returned first (as a reader taking one frame at a time would have delivered them), and the
   * refusal comes from the next `push` or `end`.
   */
  push(chunk: Uint8Array): Buffer[] {
    if (this.#failure !== null) throw this.#failure;
    if (chunk.length > 0) {
      this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.#buffered += chunk.length;
    }
    const bodies: Buffer[] = [];
    for (;;) {
      if (this.#bodyLength === null) {
        if (this.#buffered < FRAME_PREFIX_LENGTH) break;
        try {
          this.#bodyLength = readFrameLength(this.#take(FRAME_PREFIX_LENGTH), this.#maxLength);
        } catch (error) {
          if (error instanceof ProtocolError) {
            this.#failure = error;
            this.#chunks.length = 0;
            this.#buffered = 0;
            if (bodies.length > 0) return bodies;
          }
          throw error;
        }
      }
      if (this.#buffered < this.#bodyLength) break;
      bodies.push(this.#take(this.#bodyLength));
      this.#bodyLength = null;
    }
    return bodies;
  }

  /**
   * Declares end of input: fine on a frame boundary, `ProtocolError('truncated')` inside a
   * prefix or a body.
   */
  end(): void {
    if (this.#failure !== null) throw this.#failure;
    if (this.#bodyLength !== null) {
      throw new ProtocolError(
        'truncated',
        `input ended inside a frame body: ${this.#buffered} of ${this.#bodyLength} bytes`,
      );
    }
    if (this.#buffered > 0) {
      throw new ProtocolError(
        'truncated',
        `input ended inside a frame length prefix: ${this.#buffered} of ${FRAME_PREFIX_LENGTH} bytes`,
      );
    }
  }

  /** Removes `length` bytes from the front of the held input, as a fresh buffer. */
  #take(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const head = this.#chunks[0];
      if (head === undefined) throw new Error('FrameDecoder: buffered byte count out of step with its chunks');
      const count = Math.min(length - filled, head.length);
      head.copy(out, filled, 0, count);
      if (count === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(count);
      filled += count;
    }
    this.#buffered -= length;
    return out;
  }
}

/**
 * How a data stream's target socket is read: into one frame-sized buffer that every target socket
 * shares (Node's `onread`), each read handed on before the callback returns, instead of into a
 * fresh 64 KiB buffer per read.
 *
 * - A read the relay cannot queue for the gateway at once (no credit, or the connection's write
 *   queue is full: a gateway that stopped reading) is copied, and the socket pauses before its
 *   next read (`onread` stops reading at once; a plain socket reads once more into its own
 *   buffer after `pause()`). A blocked stream therefore holds at most the rest of one read —
 *   one mux frame — where it held its writable buffer plus two 64 KiB reads.
 * - Nothing is allocated per read. Measured on loopback (2 GiB, Node 24): 16 KiB reads into a
 *   reused buffer cost 0.82–0.86 CPU s/GiB, Node's default 64 KiB reads into fresh buffers
 *   0.94–1.12 (bench/README.md).
 * - Before the relay takes over (the target is connected while `Ok` is being written), a read is
 *   copied and the socket paused, so a target that speaks first (MySQL's greeting) loses nothing.
 *
 * The shared buffer is safe because a read callback runs to its end before the next read of any
 * socket, and nothing keeps a view of it: `MuxStream.sendNow` copies into the write queue, and
 * what it cannot take is copied here.
 */
import type net from 'node:net';

/**
 * Bytes per read of a target socket: one mux frame's body, as the mux cuts frames to fill one
 * TLS record each (16 KiB of plaintext less the 12-byte header). A read of a full 16 KiB became a
 * full frame plus a 12-byte one, and the gateway wrote those 12 bytes to its client on their own:
 * its CPU per GiB down was 15 % above the build before (bench/README.md).
 */
export const TARGET_READ_BYTES = 16 * 1024 - 12;

const sharedReadBuffer = Buffer.allocUnsafe(TARGET_READ_BYTES);

/**
 * Takes one read (a view of the shared buffer, valid only during the call); returns false to
 * pause the socket before its next read.
 */
export type TargetBytesConsumer = (bytes: Buffer) => boolean;

export class TargetReader {
  /** Pass to the socket's connect options. */
  readonly onread: net.OnReadOpts;
  /** What was read before a consumer was attached (one read: the socket pauses after it). */
  #early: Buffer | null = null;
  #consumer: TargetBytesConsumer | null = null;

  constructor() {
    this.onread = {
      buffer: sharedReadBuffer,
      callback: (length: number, buffer: Uint8Array): boolean => this.#onRead(length, buffer),
    };
  }

  /**
   * From now on reads go to `consumer`, starting with what was read before (if any). Returns
   * false when the consumer asked for a pause on that early read; the caller resumes the socket
   * otherwise.
   */
  attach(consumer: TargetBytesConsumer): boolean {
    this.#consumer = consumer;
    const early = this.#early;
    this.#early = null;
    return early === null || consumer(early);
  }

  #onRead(length: number, buffer: Uint8Array): boolean {
    const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, length);
    const consumer = this.#consumer;
    if (consumer !== null) return consumer(bytes);
    this.#early = this.#early === null ? Buffer.from(bytes) : Buffer.concat([this.#early, bytes]);
    return false;
  }
}

/**
 * Frames from a long-lived stream (the control stream), one at a time, as an async iterator.
 * It is pull-based: nothing is read until the consumer asks for the next frame, so a slow
 * consumer leaves bytes in the stream, whose buffer fills and stops the producer (backpressure).
 */
import type { Readable } from 'node:stream';
import { type ReadFrameOptions, readFrame } from './read-frame.js';

export class FrameReader implements AsyncIterable<Buffer> {
  readonly #readable: Readable;
  readonly #options: ReadFrameOptions;
  /** Serialises reads: each starts where the previous frame ended. */
  #last: Promise<Buffer | null> = Promise.resolve(null);
  /** Once the stream ended or failed, every later read gives the same answer. */
  #final: { readonly error: unknown } | 'end' | null = null;

  constructor(readable: Readable, options: ReadFrameOptions = {}) {
    this.#readable = readable;
    this.#options = options;
  }

  /**
   * The next frame body, or null at a clean end of stream. Rejects like `readFrame`; after a
   * rejection the stream position is lost and later calls reject with the same error.
   */
  read(): Promise<Buffer | null> {
    const next = this.#last.then(
      () => this.#readOne(),
      () => this.#readOne(),
    );
    this.#last = next;
    return next;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const frame = await this.read();
      if (frame === null) return;
      yield frame;
    }
  }

  async #readOne(): Promise<Buffer | null> {
    if (this.#final === 'end') return null;
    if (this.#final !== null) throw this.#final.error;
    try {
      const frame = await readFrame(this.#readable, this.#options);
      if (frame === null) this.#final = 'end';
      return frame;
    } catch (error) {
      this.#final = { error };
      throw error;
    }
  }
}

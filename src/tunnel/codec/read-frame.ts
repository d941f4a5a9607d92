/**
 * Reads exactly one frame from a Node Readable and nothing more, like minicbor-io's reader
 * (PROTOCOL.md §3): on a data stream, raw bytes the gateway sends right behind the Connect frame
 * (even in the same chunk) stay in the stream for whoever reads or pipes it next.
 *
 * It works on the stream in paused mode with `read(n)`, never asking for more than the frame still
 * needs, so the rest stays buffered; the prefix is checked before the body is requested, so an
 * oversized frame is refused without buffering or allocating for it.
 */
import type { Readable } from 'node:stream';
import { FRAME_PREFIX_LENGTH, MAX_FRAME_LENGTH, readFrameLength } from './frame-format.js';
import { ProtocolError } from './protocol-error.js';

export interface ReadFrameOptions {
  /** Largest accepted body; defaults to the protocol's 524288 bytes. */
  readonly maxLength?: number;
  /** Stops waiting (rejects with the signal's reason); the stream position is then unspecified. */
  readonly signal?: AbortSignal;
}

/**
 * Resolves with the next frame body, or null at a clean end of stream before any byte of a
 * frame. Rejects with ProtocolError `frame-too-large` or `truncated` (end or destroy inside a
 * frame, or a destroy without end), with the stream's own error if it errors, or with the
 * abort reason. The stream must not be flowing (no 'data' listener, not piped).
 */
export async function readFrame(readable: Readable, options: ReadFrameOptions = {}): Promise<Buffer | null> {
  if (readable.readableObjectMode || readable.readableEncoding !== null) {
    throw new TypeError('readFrame needs a byte stream (no object mode, no string encoding)');
  }
  if (readable.readableFlowing === true) {
    throw new TypeError('readFrame needs a stream in paused mode: remove "data" listeners and unpipe it first');
  }
  const waiter = new StreamWaiter(readable, options.signal);
  try {
    const prefix = await readExactly(readable, FRAME_PREFIX_LENGTH, waiter);
    if (prefix.kind === 'short') {
      if (prefix.received === 0 && prefix.cause === 'end') return null;
      throw truncated(prefix, 'length prefix', FRAME_PREFIX_LENGTH);
    }
    const length = readFrameLength(prefix.bytes, options.maxLength ?? MAX_FRAME_LENGTH);
    if (length === 0) return Buffer.alloc(0);
    const body = await readExactly(readable, length, waiter);
    if (body.kind === 'short') throw truncated(body, 'body', length);
    return body.bytes;
  } finally {
    waiter.dispose();
  }
}

type ReadResult =
  | { readonly kind: 'complete'; readonly bytes: Buffer }
  | { readonly kind: 'short'; readonly received: number; readonly cause: 'end' | 'destroyed' };

async function readExactly(readable: Readable, length: number, waiter: StreamWaiter): Promise<ReadResult> {
  const parts: Buffer[] = [];
  let received = 0;
  for (;;) {
    // Take what is buffered as it comes (never more than the frame still needs): a mux stream
    // returns window credit only for bytes read, so waiting for all n bytes with read(n) would
    // never see a frame larger than the receive window (256 KiB; frames go up to 512 KiB).
    // Once ended, read(n) hands over the remainder.
    const missing = length - received;
    const buffered = readable.readableLength;
    const chunk: unknown = readable.read(buffered > 0 && buffered < missing ? buffered : missing);
    if (chunk !== null) {
      if (!Buffer.isBuffer(chunk)) throw new TypeError('readFrame: the stream returned something other than a Buffer');
      parts.push(chunk);
      received += chunk.length;
      if (received === length)
        return { kind: 'complete', bytes: parts.length === 1 ? chunk : Buffer.concat(parts, length) };
      continue;
    }
    // Bytes buffered before an error still count: a peer's reply followed at once by a reset
    // (the reference agent's refusal, see PROTOCOL.md §2.6) must be read as that reply.
    waiter.throwIfFailed();
    if (readable.readableEnded) return { kind: 'short', received, cause: 'end' };
    if (readable.destroyed) return { kind: 'short', received: received + readable.readableLength, cause: 'destroyed' };
    await waiter.next();
  }
}

function truncated(
  result: { readonly received: number; readonly cause: 'end' | 'destroyed' },
  part: string,
  expected: number,
): ProtocolError {
  const where = `${result.received} of ${expected} bytes into a frame ${part}`;
  return new ProtocolError(
    'truncated',
    result.cause === 'end' ? `stream ended ${where}` : `stream was destroyed without an end, ${where}`,
  );
}

/**
 * Turns the stream's events into "something may have changed" wake-ups for the read loop. It
 * stays subscribed for one readFrame call, so an event between two checks is not lost.
 */
class StreamWaiter {
  #pending = false;
  #failure: { readonly error: unknown } | null = null;
  #wake: (() => void) | null = null;
  readonly #readable: Readable;
  readonly #signal: AbortSignal | undefined;
  readonly #onEvent = (): void => {
    this.#pending = true;
    this.#wake?.();
  };
  readonly #onError = (error: unknown): void => {
    this.#failure = { error };
    this.#onEvent();
  };
  readonly #onAbort = (): void => {
    this.#failure = { error: this.#signal?.reason };
    this.#onEvent();
  };

  constructor(readable: Readable, signal: AbortSignal | undefined) {
    this.#readable = readable;
    this.#signal = signal;
    readable.on('readable', this.#onEvent);
    readable.on('end', this.#onEvent);
    readable.on('close', this.#onEvent);
    readable.on('error', this.#onError);
    signal?.addEventListener('abort', this.#onAbort);
  }

  throwIfFailed(): void {
    this.#signal?.throwIfAborted();
    if (this.#failure !== null) throw this.#failure.error;
    const errored = this.#readable.errored;
    if (errored !== null) throw errored;
  }

  next(): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = null;
        this.#pending = false;
        resolve();
      };
    });
  }

  dispose(): void {
    this.#readable.off('readable', this.#onEvent);
    this.#readable.off('end', this.#onEvent);
    this.#readable.off('close', this.#onEvent);
    this.#readable.off('error', this.#onError);
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}

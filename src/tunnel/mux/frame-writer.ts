/**
 * The write queue: every frame goes through here to the socket, in order.
 *
 * Frames are assembled back to back in an arena buffer (header, then body copied right behind it)
 * and the batch is handed to the socket in one `write()` at the end of the tick, or earlier once
 * it reaches `batchBytes`. So a frame's header and body always travel in the same write (one TLS
 * record for a small frame, never a 12-byte record followed by the body, which with Nagle and
 * delayed ACKs costs ~40 ms per round trip), and small frames queued in one tick share a write.
 * Copying the body once is what a TLS socket would do anyway for a multi-buffer write, and it
 * frees the caller's buffer as soon as the frame is queued.
 *
 * Backpressure: when the socket's `write()` returns false the writer stops being `writable`;
 * data senders then park in a FIFO of waiters and are resumed on 'drain' in arrival order, which
 * keeps streams fair. Control frames (window updates, FIN, RST, Ping, GoAway) are small and are
 * always accepted.
 */
import type { Writable } from 'node:stream';
import { FrameType, HEADER_LENGTH, writeFrameHeader } from './frame-header.js';

export interface DrainWaiter {
  /** The socket drained; the waiter may send again (and re-park itself if it fills it up). */
  onWritable(): void;
}

const MIN_ARENA_BYTES = 64 * 1024;

export class FrameWriter {
  /** Frames and bytes handed to the socket (counters for the status window). */
  framesOut = 0;
  bytesOut = 0;

  private arena: Buffer;
  private batchStart = 0;
  private used = 0;
  private flushScheduled = false;
  private needsDrain = false;
  private closed = false;
  private readonly waiters: DrainWaiter[] = [];
  private readonly arenaBytes: number;

  constructor(
    private readonly socket: Writable,
    private readonly batchBytes: number,
    maxFrameBody: number,
  ) {
    this.arenaBytes = Math.max(MIN_ARENA_BYTES, 2 * batchBytes, 2 * (maxFrameBody + HEADER_LENGTH));
    this.arena = Buffer.allocUnsafe(this.arenaBytes);
    socket.on('drain', this.onDrain);
  }

  /** False while the socket asks us to wait for 'drain' (or after close): data must wait. */
  get writable(): boolean {
    return !this.needsDrain && !this.closed;
  }

  /** Bytes accepted but not yet on the wire: the current batch plus what the socket buffers. */
  get queuedBytes(): number {
    return this.used - this.batchStart + this.socket.writableLength;
  }

  /** Number of senders parked until 'drain'. */
  get waiterCount(): number {
    return this.waiters.length;
  }

  /** Queues a frame without a body (WindowUpdate, Ping, GoAway, or an empty Data frame with flags). */
  writeFrame(type: FrameType, flags: number, streamId: number, length: number): void {
    if (this.closed) return;
    this.reserve(HEADER_LENGTH);
    writeFrameHeader(this.arena, this.used, type, flags, streamId, length);
    this.used += HEADER_LENGTH;
    this.framesOut += 1;
    this.scheduleFlush();
  }

  /** Queues a Data frame whose body is `source[start, end)`; the bytes are copied now. */
  writeData(flags: number, streamId: number, source: Buffer, start: number, end: number): void {
    if (this.closed) return;
    const length = end - start;
    this.reserve(HEADER_LENGTH + length);
    writeFrameHeader(this.arena, this.used, FrameType.Data, flags, streamId, length);
    source.copy(this.arena, this.used + HEADER_LENGTH, start, end);
    this.used += HEADER_LENGTH + length;
    this.framesOut += 1;
    if (this.used - this.batchStart >= this.batchBytes) this.flush();
    else this.scheduleFlush();
  }

  /** Parks `waiter` until the socket drains (once; a waiter already parked is not added again). */
  waitForDrain(waiter: DrainWaiter): void {
    if (!this.waiters.includes(waiter)) this.waiters.push(waiter);
  }

  removeWaiter(waiter: DrainWaiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** Hands the current batch to the socket now. */
  flush(): void {
    if (this.closed || this.used === this.batchStart) return;
    const batch = this.arena.subarray(this.batchStart, this.used);
    this.batchStart = this.used;
    this.bytesOut += batch.length;
    if (!this.socket.write(batch)) this.needsDrain = true;
  }

  /** Flushes, then ends the socket's writable side; later frames are dropped. */
  end(): void {
    if (this.closed) return;
    this.flush();
    this.close();
    this.socket.end();
  }

  /** Drops the current batch and every waiter; later frames are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiters.length = 0;
    this.socket.removeListener('drain', this.onDrain);
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.arena.length) return;
    // The flushed part of the arena still belongs to the socket until written: start a new one.
    this.flush();
    this.arena = Buffer.allocUnsafe(Math.max(this.arenaBytes, bytes));
    this.batchStart = 0;
    this.used = 0;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.flushTick);
  }

  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  private readonly onDrain = (): void => {
    this.needsDrain = false;
    while (this.writable && this.waiters.length > 0) {
      const waiter = this.waiters.shift();
      waiter?.onWritable();
    }
  };
}

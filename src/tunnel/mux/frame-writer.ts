/**
 * The write queue: every frame goes through here to the socket, in order.
 *
 * Frames are assembled back to back in a batch buffer (header, then body copied right behind
 * it) and a batch goes to the socket in one `write()`, so a frame's header and body always travel
 * together (one TLS record for a small frame, never a 12-byte record followed by the body, which
 * with Nagle and delayed ACKs costs ~40 ms per round trip), and small frames queued in the same
 * tick share a write.
 *
 * At most one write is in flight. While it is, new frames accumulate in the next batch buffer,
 * which is written as soon as the socket reports the first one done: under load every write is
 * large and contiguous (no writev, no extra copy inside TLS). On a TCP or TLS socket, which has
 * copied the bytes by the time it reports a write done, the two buffers are reused while data
 * keeps flowing, so the bulk path allocates nothing; an idle session keeps only small buffers
 * (a gateway holds many sessions). Any other Duplex may keep a reference to what it was given (an
 * in-memory pair pushes it straight to the other side), so there every batch gets a fresh buffer.
 * Copying the body once is what a TLS socket would do anyway for a multi-buffer write, and it
 * frees the caller's buffer as soon as the frame is queued.
 *
 * Backpressure: once the accumulating batch holds `batchBytes`, the writer stops being
 * `writable`; data senders then park in a FIFO and are resumed in arrival order when the batch
 * has gone to the socket, which keeps streams fair. Control frames (window updates, FIN, RST,
 * Ping, GoAway) are small and always accepted: what bounds them is the session, which stops
 * reading the peer's frames (the cause of most of them: Ping ACKs, resets) while the writer
 * holds more than its bound, and resumes when `onBelow` reports the queue back under it.
 *
 * Every buffer grows geometrically (at least doubling), so queueing n bytes costs O(n) copying
 * whatever the mix of frames — never a copy of the whole queue per frame.
 */
import type { Writable } from 'node:stream';
import { FrameType, HEADER_LENGTH, writeFrameHeader } from './frame-header.js';

export interface DrainWaiter {
  /** The writer can take data again; the waiter may send (and park itself again when full). */
  onWritable(): void;
}

/** TLS cuts what it is given into records of 16 KiB of plaintext, counted from the start of each write. */
const RECORD_BYTES = 16 * 1024;

/** Size of a batch buffer while idle (and the most an idle session keeps). */
const SMALL_BUFFER_BYTES = 16 * 1024;
/** A session that wrote a large batch this recently counts as busy and keeps large buffers. */
const BUSY_FOR_MS = 1000;

export class FrameWriter {
  /** Frames and bytes handed to the socket (counters for the status window). */
  framesOut = 0;
  bytesOut = 0;
  /** The most bytes ever queued at once (accepted, not yet reported written by the socket). */
  peakQueuedBytes = 0;

  private batch: Buffer;
  private used = 0;
  /** The other buffer, free for the next batch (undefined while its write is in flight). */
  private spare: Buffer | undefined;
  private inFlight: Buffer | undefined;
  private inFlightBytes = 0;
  private flushScheduled = false;
  private closed = false;
  private readonly waiters: DrainWaiter[] = [];
  private readonly bufferBytes: number;
  /** The largest written buffer kept for reuse while busy. */
  private readonly keptBytes: number;
  private lastLargeWriteAt = -Infinity;
  /** Told once queued bytes are back at or under `belowBytes` after a write completed. */
  private belowBytes = Infinity;
  private onBelow: (() => void) | undefined;

  /**
   * `reuseBuffers`: the socket is done with a buffer once it reports the write done (true for
   * `net.Socket` and `tls.TLSSocket`). `extraBytes`: how far beyond what data fills the queue may
   * go before the session stops reading (its reply backlog); a buffer grown that far is kept for
   * the next batch while busy rather than allocated again for every batch.
   */
  constructor(
    private readonly socket: Writable,
    private readonly batchBytes: number,
    maxFrameBody: number,
    private readonly reuseBuffers: boolean,
    extraBytes = 0,
  ) {
    // Room for a full batch plus one more data frame and some control frames.
    this.bufferBytes = batchBytes + maxFrameBody + 64 * HEADER_LENGTH;
    this.keptBytes = this.bufferBytes + extraBytes;
    this.batch = Buffer.allocUnsafe(Math.min(SMALL_BUFFER_BYTES, this.bufferBytes));
  }

  /** False while a full batch waits for the socket (or after close): data must wait. */
  get writable(): boolean {
    return !this.closed && this.used < this.batchBytes;
  }

  /** Bytes accepted but not yet reported written by the socket. */
  get queuedBytes(): number {
    return this.used + this.inFlightBytes;
  }

  /**
   * The most data alone can make the writer hold: the batch being filled (data is admitted while
   * it holds less than `batchBytes`, so up to one frame more) and the batch in flight.
   */
  get dataCapacity(): number {
    return 2 * this.bufferBytes;
  }

  /**
   * Calls `listener` whenever a completed write leaves at most `bytes` queued (the session
   * resumes reading then). One listener; a later call replaces it.
   */
  notifyWhenBelow(bytes: number, listener: () => void): void {
    this.belowBytes = bytes;
    this.onBelow = listener;
  }

  /** Number of senders parked until the writer can take data again. */
  get waiterCount(): number {
    return this.waiters.length;
  }

  /**
   * The body size, at most `max`, for a Data frame queued now that ends exactly on a TLS record
   * boundary of the batch. Each batch is one write, which TLS cuts into 16 KiB records from its
   * start, and the peer's TLS hands on one record at a time: frames that end on record
   * boundaries arrive as whole frames, one body piece per record (one write to the target),
   * where a frame straddling two records arrives as two pieces (two writes). One short frame
   * (a window update, the tail of a write) realigns the frames after it.
   */
  alignedBody(max: number): number {
    return Math.min(max, RECORD_BYTES - ((this.used + HEADER_LENGTH) % RECORD_BYTES));
  }

  /** Queues a frame without a body (WindowUpdate, Ping, GoAway, or an empty Data frame with flags). */
  writeFrame(type: FrameType, flags: number, streamId: number, length: number): void {
    if (this.closed) return;
    this.reserve(HEADER_LENGTH);
    writeFrameHeader(this.batch, this.used, type, flags, streamId, length);
    this.used += HEADER_LENGTH;
    this.framesOut += 1;
    this.queued();
  }

  /** Queues a Data frame whose body is `source[start, end)`; the bytes are copied now. */
  writeData(flags: number, streamId: number, source: Buffer, start: number, end: number): void {
    if (this.closed) return;
    const length = end - start;
    this.reserve(HEADER_LENGTH + length);
    writeFrameHeader(this.batch, this.used, FrameType.Data, flags, streamId, length);
    source.copy(this.batch, this.used + HEADER_LENGTH, start, end);
    this.used += HEADER_LENGTH + length;
    this.framesOut += 1;
    this.queued();
  }

  /** Parks `waiter` until the writer can take data (once; a parked waiter is not added again). */
  waitForDrain(waiter: DrainWaiter): void {
    if (!this.waiters.includes(waiter)) this.waiters.push(waiter);
  }

  removeWaiter(waiter: DrainWaiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** Hands the batch to the socket now, unless a write is in flight (then it follows that one). */
  flush(): void {
    if (this.closed || this.inFlight !== undefined || this.used === 0) return;
    const full = this.batch;
    const bytes = this.used;
    this.inFlight = full;
    this.inFlightBytes = bytes;
    if (bytes > SMALL_BUFFER_BYTES) this.lastLargeWriteAt = performance.now();
    this.batch =
      this.spare ?? Buffer.allocUnsafe(this.busy() ? this.bufferBytes : Math.min(SMALL_BUFFER_BYTES, this.bufferBytes));
    this.spare = undefined;
    this.used = 0;
    this.bytesOut += bytes;
    this.socket.write(full.subarray(0, bytes), this.onWritten);
  }

  /** Writes everything queued, then ends the socket's writable side; later frames are dropped. */
  end(): void {
    if (this.closed) return;
    if (this.used > 0) {
      // Terminal: no need to wait for the write in flight, the socket queues this one behind it.
      this.bytesOut += this.used;
      this.socket.write(this.batch.subarray(0, this.used));
      this.used = 0;
    }
    this.close();
    this.socket.end();
  }

  /** Drops the batch and every waiter; later frames are dropped. */
  close(): void {
    this.closed = true;
    this.waiters.length = 0;
  }

  private busy(): boolean {
    return performance.now() - this.lastLargeWriteAt < BUSY_FOR_MS;
  }

  private queued(): void {
    const queued = this.used + this.inFlightBytes;
    if (queued > this.peakQueuedBytes) this.peakQueuedBytes = queued;
    if (this.inFlight !== undefined) return; // goes out when the write in flight completes
    if (this.used >= this.batchBytes) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushTick);
    }
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.batch.length) return;
    // Doubling up to the size data batches need, and doubling past it too (control frames may go
    // beyond it until the session stops reading): growing by what one frame needs would copy the
    // whole queue for every frame.
    const needed = this.used + bytes;
    const doubled = 2 * this.batch.length;
    const wanted =
      needed <= this.bufferBytes ? Math.max(needed, Math.min(doubled, this.bufferBytes)) : Math.max(needed, doubled);
    const bigger = Buffer.allocUnsafe(wanted);
    this.batch.copy(bigger, 0, 0, this.used);
    this.batch = bigger;
  }

  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  private readonly onWritten = (): void => {
    const written = this.inFlight;
    this.inFlight = undefined;
    this.inFlightBytes = 0;
    if (this.closed) return;
    // Reuse the buffer just written while data flows; once idle, keep only a small one.
    if (this.reuseBuffers && written && written.length <= (this.busy() ? this.keptBytes : SMALL_BUFFER_BYTES))
      this.spare = written;
    this.flush();
    while (this.writable && this.waiters.length > 0) this.waiters.shift()?.onWritable();
    if (this.onBelow !== undefined && this.used + this.inFlightBytes <= this.belowBytes) this.onBelow();
  };
}

/**
 * One yamux stream as a Node `Duplex`, so `pipeline(socket, stream, socket)` just works.
 *
 * - `end()` half-closes (FIN after everything written); the peer's FIN ends the readable side.
 * - `reset()` sends RST and destroys the stream at once.
 * - `destroy()` without an error sends what yamux 0.10 sends when a stream is dropped
 *   (PROTOCOL.md §2.6): RST if fully open, FIN if only the peer had closed, RST if we had closed
 *   and the peer has no credit left, otherwise nothing. `destroy(err)` sends RST unless both
 *   sides had closed: an error must not look like a clean end to the peer.
 * - 'close' is emitted once the stream is fully closed (both directions ended, reset, or
 *   destroyed); the session forgets the stream id at that moment.
 *
 * Writes: a `write()` callback completes only once its bytes are queued for the socket within
 * the peer's credit; without credit, or while the session's write queue waits for the socket,
 * the stream waits, its writable buffer fills and `write()` returns false, so backpressure
 * reaches the producer.
 * Reads: data is pushed as it arrives; credit goes back to the peer only as the consumer reads
 * (see `ReceiveWindow`), so an idle consumer holds at most one window.
 */
import { Duplex } from 'node:stream';
import type { MuxConfig } from './config.js';
import { MuxSessionClosedError, MuxStreamResetError } from './errors.js';
import { Flag, FrameType } from './frame-header.js';
import type { DrainWaiter, FrameWriter } from './frame-writer.js';
import { ReceiveWindow, type RttSource, type WindowGrowthBudget } from './receive-window.js';

export type StreamDirection = 'outbound' | 'inbound';

/** Payload counters the stream adds to (the session's). */
export interface DataCounters {
  dataBytesIn: number;
  dataBytesOut: number;
  /** The most bytes one stream held, not yet queued for the socket, when it had to wait. */
  streamQueuedBytesPeak: number;
}

/** What a stream needs from its session (the session implements it). */
export interface StreamHost {
  readonly config: Readonly<MuxConfig>;
  readonly writer: FrameWriter;
  readonly windowBudget: WindowGrowthBudget;
  readonly rttSource: RttSource;
  readonly counters: DataCounters;
  /** The stream is gone: forget its id. */
  forgetStream(stream: MuxStream): void;
}

export interface MuxStreamInit {
  readonly id: number;
  readonly direction: StreamDirection;
  /** Credit we start with for sending. */
  readonly sendCredit: number;
  /** Our receive window, and how much of it the peer knows about. */
  readonly receiveWindow: number;
  readonly receiveCredit: number;
  /** SYN (we opened it and announced nothing yet) or ACK (the peer opened it) for our first frame. */
  readonly firstFrameFlag: number;
}

type WriteCallback = (error?: Error | null) => void;

export class MuxStream extends Duplex implements DrainWaiter {
  readonly id: number;
  readonly direction: StreamDirection;
  /** Payload bytes received from the peer. */
  bytesRead = 0;
  /** Payload bytes queued for the peer. */
  bytesWritten = 0;

  private sendCredit: number;
  private readonly window: ReceiveWindow;
  private pendingFlag: number;
  private finSent = false;
  private finReceived = false;
  /** RST sent or received: nothing more goes on the wire. */
  private resetDone = false;
  /** The session no longer knows this stream (or is gone): nothing more goes on the wire. */
  private detached = false;
  /** Body bytes announced by a frame header that have not arrived yet. */
  private undelivered = 0;
  private chunk: Buffer | undefined;
  private chunkOffset = 0;
  private chunkCallback: WriteCallback | undefined;
  private parked = false;

  constructor(
    private readonly host: StreamHost,
    init: MuxStreamInit,
  ) {
    super({
      allowHalfOpen: true,
      readableHighWaterMark: init.receiveWindow,
      writableHighWaterMark: host.config.streamWriteBufferBytes,
    });
    this.id = init.id;
    this.direction = init.direction;
    this.sendCredit = init.sendCredit;
    this.pendingFlag = init.firstFrameFlag;
    this.window = new ReceiveWindow({
      size: init.receiveWindow,
      remaining: init.receiveCredit,
      autoTune: host.config.autoTuneWindow,
      maxSize: host.config.maxStreamWindow,
      budget: host.windowBudget,
      rtt: host.rttSource,
    });
  }

  /** Bytes received and not yet read by the consumer (bounded by the receive window). */
  get bufferedInbound(): number {
    return this.readableLength + this.undelivered;
  }

  /** Bytes written to the stream that are not yet queued for the socket (waiting for credit or drain). */
  get bufferedOutbound(): number {
    // Node counts the chunk in hand until its callback; the part already queued is not ours any more.
    return this.writableLength - (this.chunk === undefined ? 0 : this.chunkOffset);
  }

  /** Bytes we may still send before the peer grants more. */
  get sendWindow(): number {
    return this.sendCredit;
  }

  /** Our current receive window (grows with auto-tuning). */
  get receiveWindow(): number {
    return this.window.windowSize;
  }

  /**
   * Queues as much of `source` for the socket as the peer's credit and the write queue take right
   * now, copying it (nothing keeps a reference to `source` afterwards), and returns the bytes
   * queued; the caller `write()`s the rest, which then waits like any write. Queues nothing while
   * an earlier write still waits (order is kept) or once the writable side is ended or gone.
   * For a relay reading into one buffer it reuses: what a blocked stream holds is then only the
   * rest of one read.
   */
  sendNow(source: Buffer): number {
    if (this.detached || this.destroyed || this.writableEnded || this.writableLength > 0) return 0;
    const writer = this.host.writer;
    const maxBody = this.host.config.maxOutgoingFrameBody;
    let offset = 0;
    while (offset < source.length && this.sendCredit > 0 && writer.writable) {
      const n = Math.min(source.length - offset, this.sendCredit, writer.alignedBody(maxBody));
      writer.writeData(this.takeFlag(), this.id, source, offset, offset + n);
      offset += n;
      this.sendCredit -= n;
      this.bytesWritten += n;
      this.host.counters.dataBytesOut += n;
    }
    return offset;
  }

  /** Sends RST and destroys the stream (no 'error' is emitted). */
  reset(): void {
    if (this.destroyed) return;
    if (!this.detached && !this.resetDone && !(this.finSent && this.finReceived)) {
      this.host.writer.writeFrame(FrameType.Data, Flag.RST, this.id, 0);
    }
    this.resetDone = true;
    this.destroy();
  }

  // ---- called by the session -------------------------------------------------------------

  /** A Data header for this stream arrived; false if its body exceeds the peer's credit. */
  beginData(length: number): boolean {
    if (!this.window.receive(length)) return false;
    this.undelivered += length;
    return true;
  }

  /** The next piece of a Data body. */
  onData(piece: Buffer): void {
    this.undelivered -= piece.length;
    this.bytesRead += piece.length;
    if (this.destroyed || this.finReceived) return;
    this.push(piece);
    this.returnCredit();
  }

  onWindowUpdate(credit: number): void {
    this.sendCredit += credit;
    if (this.chunk && !this.parked) this.pump();
  }

  onRemoteFin(): void {
    if (this.finReceived) return;
    this.finReceived = true;
    if (!this.destroyed) this.push(null);
  }

  onRemoteReset(): void {
    this.resetDone = true;
    if (this.destroyed || (this.finSent && this.finReceived)) return;
    this.destroy(new MuxStreamResetError(this.id));
  }

  /** The session ended: no more frames; the stream errors with `error` (or just closes without one). */
  abort(error: Error | undefined): void {
    this.detach();
    if (!this.destroyed) this.destroy(error);
  }

  /** DrainWaiter: the socket drained. */
  onWritable(): void {
    this.parked = false;
    this.pump();
  }

  // ---- Duplex implementation ------------------------------------------------------------

  override _read(): void {
    // Data is pushed as it arrives; credit is returned from read() below.
  }

  /** Every consumer path (flowing, paused, async iteration, pipe) reads through here. */
  override read(size?: number): ReturnType<Duplex['read']> {
    const chunk: unknown = super.read(size);
    this.returnCredit();
    return chunk;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    if (this.detached) {
      callback(new MuxSessionClosedError(`stream ${this.id}: session closed`));
      return;
    }
    if (chunk.length === 0) {
      callback();
      return;
    }
    this.chunk = chunk;
    this.chunkOffset = 0;
    this.chunkCallback = callback;
    this.pump();
  }

  override _final(callback: WriteCallback): void {
    if (this.detached || this.resetDone) {
      callback(new MuxSessionClosedError(`stream ${this.id}: cannot half-close, the stream is gone`));
      return;
    }
    this.host.writer.writeFrame(FrameType.Data, Flag.FIN | this.takeFlag(), this.id, 0);
    this.finSent = true;
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const pending = this.chunkCallback;
    this.chunk = undefined;
    this.chunkCallback = undefined;
    if (!this.detached) {
      const flags = this.resetDone ? 0 : this.closingFlags(error !== null);
      if (flags !== 0) this.host.writer.writeFrame(FrameType.Data, flags, this.id, 0);
      this.detach();
    }
    // A write still waiting for credit fails, as Node fails writes buffered in a destroyed stream.
    pending?.(
      error ??
        Object.assign(new Error(`stream ${this.id} was destroyed before this write went out`), {
          code: 'ERR_STREAM_DESTROYED',
        }),
    );
    callback(error);
  }

  // ---- internals --------------------------------------------------------------------------

  /** The frame yamux 0.10 sends when a stream is dropped (§2.6); RST for an error. */
  private closingFlags(failed: boolean): number {
    if (this.finSent && this.finReceived) return 0;
    if (failed) return Flag.RST;
    if (!this.finSent && !this.finReceived) return Flag.RST;
    if (this.finReceived) return Flag.FIN | this.takeFlag();
    return this.window.remainingCredit === 0 ? Flag.RST : 0;
  }

  private detach(): void {
    if (this.detached) return;
    this.detached = true;
    if (this.parked) this.host.writer.removeWaiter(this);
    this.parked = false;
    this.window.release();
    this.host.forgetStream(this);
  }

  /** SYN or ACK rides on the first frame we send, once. */
  private takeFlag(): number {
    const flag = this.pendingFlag;
    this.pendingFlag = 0;
    return flag;
  }

  private returnCredit(): void {
    if (this.finReceived || this.resetDone || this.detached) return;
    const credit = this.window.nextUpdate(this.readableLength + this.undelivered);
    if (credit === 0) return;
    this.host.writer.writeFrame(FrameType.WindowUpdate, this.takeFlag(), this.id, credit);
    // Bulk data is flowing: auto-tuning needs an RTT (the probe Ping follows the update).
    if (this.host.config.autoTuneWindow) this.host.rttSource.refresh();
  }

  /** The current chunk waits at `offset` (for credit or the socket): remember where, and count what we hold. */
  private waiting(offset: number): void {
    this.chunkOffset = offset;
    const held = this.bufferedOutbound;
    const counters = this.host.counters;
    if (held > counters.streamQueuedBytesPeak) counters.streamQueuedBytesPeak = held;
  }

  /** Sends as much of the current chunk as credit and the socket allow; completes it when done. */
  private pump(): void {
    const chunk = this.chunk;
    if (!chunk || this.detached) return;
    const writer = this.host.writer;
    const maxBody = this.host.config.maxOutgoingFrameBody;
    let offset = this.chunkOffset;
    while (offset < chunk.length) {
      if (this.sendCredit === 0) {
        this.waiting(offset);
        return;
      }
      if (!writer.writable) {
        this.waiting(offset);
        this.parked = true;
        writer.waitForDrain(this);
        return;
      }
      const n = Math.min(chunk.length - offset, this.sendCredit, writer.alignedBody(maxBody));
      writer.writeData(this.takeFlag(), this.id, chunk, offset, offset + n);
      offset += n;
      this.sendCredit -= n;
      this.bytesWritten += n;
      this.host.counters.dataBytesOut += n;
    }
    const callback = this.chunkCallback;
    this.chunk = undefined;
    this.chunkCallback = undefined;
    this.chunkOffset = 0;
    callback?.();
  }
}

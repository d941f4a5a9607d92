/**
 * A yamux session over any Node `Duplex` (a TLS socket in production, an in-memory pair in
 * tests), wire-compatible with yamux 0.10.2 as the reference agent uses it (PROTOCOL.md §2).
 *
 * Public API (everything the engine needs):
 *
 *   const session = new Session(socket, { mode: 'client' | 'server', ...Partial<MuxConfig> });
 *
 *   session.open(): MuxStream
 *       Opens an outbound stream (client: ids 1, 3, 5 …; server: 2, 4, 6 …). Nothing goes on the
 *       wire until the first write/end: SYN rides on the stream's first frame. Throws
 *       `MuxSessionClosedError` once closing, `MuxStreamLimitError` at `maxStreams`.
 *   session.on('stream', (stream: MuxStream) => …)
 *       Inbound streams, as the peer opens them (ACK rides on our first frame). Without a
 *       listener up to `inboundBacklog` wait for one; beyond that they are reset.
 *   session.close(): Promise<void>
 *       Graceful: queued frames are flushed, GoAway(0) is sent, the socket is ended and, bounded
 *       by `closeTimeoutMs`, we wait for the peer to hang up. Open streams error with
 *       `MuxSessionClosedError`. Never rejects.
 *   session.destroy(error?): void
 *       Abrupt: the socket is destroyed at once, every open stream errors.
 *   session.on('close', (error: Error | undefined) => …)
 *       Once, when the session is over. `undefined` after `close()` or the peer's GoAway(0);
 *       otherwise `MuxProtocolError` (we sent GoAway `goAwayCode`), `MuxRemoteGoAwayError`
 *       (peer's `goAwayCode`), `MuxConnectionLostError`, `MuxTimeoutError` (keepalive) or the
 *       error given to `destroy()`. The session never emits 'error'.
 *   session.ping(timeoutMs?): Promise<number>
 *       Round-trip time in ms; `session.rttMs` keeps the last one measured.
 *   session.stats(): SessionStats
 *       Open/inbound/outbound streams, payload and wire bytes in/out, frames in/out, bytes queued
 *       for the socket (and toward it in streams), streams blocked on it, read pauses, window
 *       growth, RTT (plain counters; the per-stream sum walks the streams).
 *   session.limitInbound({ frames, bytes, until }) / session.limitInbound(null)
 *       Ends the session (GoAway protocol error) once the peer has sent more frames or bytes in
 *       all than allowed (the gateway: before the agent has authenticated); null lifts it.
 *   session.closed: boolean        true once closing has started
 *   session.mode, session.config   as constructed (config with defaults filled in)
 *
 * `MuxStream` (stream.ts) is a `Duplex` with `id`, `direction`, `bytesRead`, `bytesWritten`,
 * `bufferedInbound`, `bufferedOutbound`, `sendWindow`, `receiveWindow`, `reset()`; `end()`
 * half-closes (FIN); `destroy()` sends RST/FIN as 0.10 does on drop; 'close' = fully closed.
 * Streams error like any Node stream (`MuxStreamResetError`, the session's error): attach an
 * 'error' handler or use `pipeline`.
 *
 * Backpressure toward a peer that does not read: data waits for the peer's credit and for the
 * socket (streams park; a stream holds what it was given until then). Frames the peer makes us
 * send without credit (Ping ACKs, resets) are bounded by reading: while the write queue holds
 * more than data alone can fill it with plus `replyBacklogBytes`, the session stops parsing the
 * peer's frames (at a frame boundary, the rest of the chunk kept) and pauses the socket, so the
 * peer's further frames wait in the kernel's buffers and then in the peer — as yamux 0.10 awaits
 * its sink. Reading resumes once the socket has taken the queue back under the bound.
 *
 * Protocol violations by the peer (wrong stream id parity, a stream opened twice, data beyond
 * the window or beyond `maxIncomingFrameBody`, a malformed header, too many streams) send a
 * GoAway with code 1 (2 for a Data SYN over the stream limit, as 0.10) and close the session
 * with a `MuxProtocolError`. Data and WindowUpdate frames for unknown (closed) streams are
 * ignored, as 0.10 does.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { resolveMuxConfig, type MuxConfig } from './config.js';
import {
  MuxConnectionLostError,
  MuxError,
  MuxProtocolError,
  MuxRemoteGoAwayError,
  MuxSessionClosedError,
  MuxStreamLimitError,
} from './errors.js';
import { FrameDecoder } from './frame-decoder.js';
import {
  Flag,
  FrameType,
  GoAwayCode,
  INITIAL_STREAM_WINDOW,
  MAX_U32,
  SESSION_STREAM_ID,
  frameTypeName,
  type FrameHeader,
} from './frame-header.js';
import { FrameWriter } from './frame-writer.js';
import { ReadBudget, STREAM_OPEN_WORK } from './read-budget.js';
import { PieceJoiner } from './piece-joiner.js';
import { PingTracker } from './ping-tracker.js';
import { WindowGrowthBudget } from './receive-window.js';
import { MuxStream, type DataCounters, type StreamHost } from './stream.js';

export type SessionMode = 'client' | 'server';

export interface SessionOptions extends Partial<MuxConfig> {
  readonly mode: SessionMode;
}

export interface SessionStats {
  readonly openStreams: number;
  readonly inboundStreams: number;
  readonly outboundStreams: number;
  /** Stream payload bytes received / sent. */
  readonly dataBytesIn: number;
  readonly dataBytesOut: number;
  /** Bytes read from / written to the socket, headers included. */
  readonly wireBytesIn: number;
  readonly wireBytesOut: number;
  readonly framesIn: number;
  readonly framesOut: number;
  /** Bytes queued for the socket and not yet written. */
  readonly queuedBytesOut: number;
  /** The most bytes ever queued for the socket at once. */
  readonly queuedBytesOutPeak: number;
  /** Bytes streams were given to send that are not queued for the socket yet (waiting for credit or the socket). */
  readonly streamQueuedBytes: number;
  /** The most one stream ever held that way when it had to wait. */
  readonly streamQueuedBytesPeak: number;
  /** Times the session stopped reading because the write queue was over its bound. */
  readonly readPauses: number;
  /** True while the session does not read (the write queue is over its bound). */
  readonly readPaused: boolean;
  /** Frames parsed while the write queue was over its bound (0 unless reading failed to stop). */
  readonly framesReadWhileBlocked: number;
  /** Streams with data to send that wait for the socket to take more. */
  readonly blockedStreams: number;
  /** How far auto-tuning has grown receive windows beyond their initial size, all streams together. */
  readonly windowGrowthBytes: number;
  readonly rttMs: number | undefined;
}

/** How much the peer may send in all (frames, bytes with headers) — e.g. before authenticating. */
export interface InboundLimit {
  readonly frames: number;
  readonly bytes: number;
  /** Ends the error text: `the peer sent more than N frames <until>`. */
  readonly until: string;
}

interface SessionEvents {
  stream: [stream: MuxStream];
  close: [error: Error | undefined];
  /** EventEmitter's own event, typed here because the session uses it to release the backlog. */
  newListener: [event: string | symbol, listener: unknown];
}

type SessionState = 'open' | 'closing' | 'closed';

/**
 * While a graceful close waits for the peer to hang up, what the peer still sends is read and
 * dropped, so that its last bytes do not turn our close into a TCP reset — up to this much; then
 * the socket is left unread until the close timeout ends it.
 */
const CLOSING_DISCARD_BYTES = 1024 * 1024;

/** Parsing work (read-budget.ts) per turn of the event loop and per second. */
const READ_WORK_PER_TURN = 8192;
const READ_WORK_PER_SECOND = 1_000_000;
/** From this much work in a turn on, the turn's end is scheduled (not for every chunk while data flows). */
const TURN_ACCOUNTING_FROM = 256;

interface Termination {
  /** GoAway code to send first, if any. */
  readonly goAway?: number;
  /** What 'close' reports. */
  readonly error: Error | undefined;
  /** What open streams error with. */
  readonly streamError: Error;
  /** End the socket and wait (bounded) for the peer to hang up, instead of destroying it. */
  readonly graceful: boolean;
}

export class Session extends EventEmitter<SessionEvents> {
  readonly mode: SessionMode;
  readonly config: Readonly<MuxConfig>;

  private readonly writer: FrameWriter;
  private readonly windowBudget: WindowGrowthBudget;
  private readonly counters: DataCounters = { dataBytesIn: 0, dataBytesOut: 0, streamQueuedBytesPeak: 0 };
  /** What streams see of the session. */
  private readonly host: StreamHost;

  private readonly streams = new Map<number, MuxStream>();
  private readonly backlog: MuxStream[] = [];
  private readonly decoder: FrameDecoder;
  private readonly pings: PingTracker;
  private nextStreamId: number;
  private state: SessionState = 'open';
  private wireBytesIn = 0;
  private framesIn = 0;
  private inboundStreams = 0;
  /** Stream receiving the current Data body (undefined: discard it). */
  private bodyTarget: MuxStream | undefined;
  private bodyFin = false;
  /** Holds a body piece back until the chunk's next piece shows whether the two can be one. */
  private readonly joiner = new PieceJoiner();
  /** Queue size above which the session stops reading the peer's frames. */
  private readonly readPauseBytes: number;
  /** The rest of a socket chunk not parsed when reading stopped. */
  private unread: Buffer | undefined;
  private readPaused = false;
  private resumeScheduled = false;
  private readPauses = 0;
  private readonly readBudget = new ReadBudget(READ_WORK_PER_TURN, READ_WORK_PER_SECOND);
  /** The end of this turn's reading is scheduled (an immediate, or a wait for the budget to refill). */
  private turnScheduled = false;
  private budgetTimer: NodeJS.Timeout | undefined;
  private framesReadWhileBlocked = 0;
  private inboundLimit: InboundLimit | null = null;
  private discardedWhileClosing = 0;
  private closeTimer: NodeJS.Timeout | undefined;
  private closeError: Error | undefined;
  private readonly closedPromise: Promise<void>;
  private resolveClosed: () => void = () => undefined;

  constructor(
    private readonly socket: Duplex,
    options: SessionOptions,
  ) {
    super();
    const { mode, ...overrides } = options;
    this.mode = mode;
    this.config = resolveMuxConfig(overrides);
    this.nextStreamId = mode === 'client' ? 1 : 2;
    this.windowBudget = new WindowGrowthBudget(this.config.maxSessionWindowGrowth);
    this.writer = new FrameWriter(
      socket,
      this.config.writeBatchBytes,
      this.config.maxOutgoingFrameBody,
      socket instanceof Socket,
      2 * this.config.replyBacklogBytes,
    );
    this.pings = new PingTracker((nonce) => {
      this.writer.writeFrame(FrameType.Ping, Flag.SYN, SESSION_STREAM_ID, nonce);
    }, this.config.pingTimeoutMs);
    this.host = {
      config: this.config,
      writer: this.writer,
      windowBudget: this.windowBudget,
      counters: this.counters,
      rttSource: {
        rttMs: () => this.pings.rttMs,
        refresh: () => {
          this.pings.refresh();
        },
      },
      forgetStream: (stream) => {
        this.forgetStream(stream);
      },
    };
    this.decoder = new FrameDecoder(
      {
        onFrame: (header) => {
          this.onFrame(header);
        },
        onDataPiece: (piece) => {
          this.onDataPiece(piece);
        },
        onDataEnd: () => {
          this.onDataEnd();
        },
        readMore: () => this.readMore(),
      },
      this.config.maxIncomingFrameBody,
    );
    this.readPauseBytes = this.writer.dataCapacity + this.config.replyBacklogBytes;
    // Resume once half the reply backlog has gone out, not at the first byte under the bound.
    this.writer.notifyWhenBelow(this.writer.dataCapacity + Math.floor(this.config.replyBacklogBytes / 2), () => {
      this.onWriterBelow();
    });
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });

    if (this.config.noDelay) (socket as Partial<{ setNoDelay(noDelay: boolean): unknown }>).setNoDelay?.(true);
    socket.on('data', this.onSocketData);
    socket.on('end', this.onSocketEnd);
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
    this.on('newListener', this.onNewListener);
    if (this.config.keepAliveIntervalMs > 0) {
      this.pings.startKeepAlive(this.config.keepAliveIntervalMs, this.config.pingTimeoutMs, (error) => {
        this.terminate({ error, streamError: error, graceful: false });
      });
    }
  }

  /** True once closing has started (no new streams). */
  get closed(): boolean {
    return this.state !== 'open';
  }

  /** The last measured round-trip time in ms (from `ping()`, keepalive or window tuning). */
  get rttMs(): number | undefined {
    return this.pings.rttMs;
  }

  open(): MuxStream {
    if (this.state !== 'open')
      throw new MuxSessionClosedError('cannot open a stream: the session is closed', this.closeError);
    if (this.streams.size >= this.config.maxStreams) throw new MuxStreamLimitError(this.config.maxStreams);
    const id = this.nextStreamId;
    if (id > MAX_U32) throw new MuxError('MUX_STREAM_LIMIT', 'all stream ids of this session are used up');
    this.nextStreamId += 2;
    // 0.10: a window above the spec's default is announced at once with a SYN WindowUpdate;
    // otherwise nothing is sent until the first frame, which carries the SYN.
    const extra = this.config.initialStreamWindow - INITIAL_STREAM_WINDOW;
    const stream = new MuxStream(this.host, {
      id,
      direction: 'outbound',
      sendCredit: INITIAL_STREAM_WINDOW,
      receiveWindow: this.config.initialStreamWindow,
      receiveCredit: this.config.initialStreamWindow,
      firstFrameFlag: extra > 0 ? 0 : Flag.SYN,
    });
    if (extra > 0) this.writer.writeFrame(FrameType.WindowUpdate, Flag.SYN, id, extra);
    this.streams.set(id, stream);
    return stream;
  }

  ping(timeoutMs?: number): Promise<number> {
    if (this.state !== 'open')
      return Promise.reject(new MuxSessionClosedError('cannot ping: the session is closed', this.closeError));
    return this.pings.ping(timeoutMs);
  }

  close(): Promise<void> {
    this.terminate({
      goAway: GoAwayCode.Normal,
      error: undefined,
      streamError: new MuxSessionClosedError('session closed'),
      graceful: true,
    });
    return this.closedPromise;
  }

  destroy(error?: Error): void {
    this.terminate({ error, streamError: error ?? new MuxSessionClosedError('session destroyed'), graceful: false });
  }

  stats(): SessionStats {
    return {
      openStreams: this.streams.size,
      inboundStreams: this.inboundStreams,
      outboundStreams: this.streams.size - this.inboundStreams,
      dataBytesIn: this.counters.dataBytesIn,
      dataBytesOut: this.counters.dataBytesOut,
      wireBytesIn: this.wireBytesIn,
      wireBytesOut: this.writer.bytesOut,
      framesIn: this.framesIn,
      framesOut: this.writer.framesOut,
      queuedBytesOut: this.writer.queuedBytes,
      queuedBytesOutPeak: this.writer.peakQueuedBytes,
      streamQueuedBytes: this.streamQueuedBytes(),
      streamQueuedBytesPeak: this.counters.streamQueuedBytesPeak,
      readPauses: this.readPauses,
      readPaused: this.readPaused,
      framesReadWhileBlocked: this.framesReadWhileBlocked,
      blockedStreams: this.writer.waiterCount,
      windowGrowthBytes: this.config.maxSessionWindowGrowth - this.windowBudget.remaining,
      rttMs: this.pings.rttMs,
    };
  }

  /**
   * Ends the session with GoAway(protocol error) once the peer has sent more than `limit.frames`
   * frames or `limit.bytes` bytes since the session started (checked as they arrive); null lifts
   * the limit.
   */
  limitInbound(limit: InboundLimit | null): void {
    this.inboundLimit = limit;
  }

  private streamQueuedBytes(): number {
    let sum = 0;
    for (const stream of this.streams.values()) sum += stream.bufferedOutbound;
    return sum;
  }

  /** A stream was destroyed: its id is free. */
  private forgetStream(stream: MuxStream): void {
    if (this.streams.get(stream.id) === stream) {
      this.streams.delete(stream.id);
      if (stream.direction === 'inbound') this.inboundStreams -= 1;
    }
    if (this.bodyTarget === stream) this.bodyTarget = undefined;
    if (this.joiner.heldFor === stream) this.joiner.flush();
  }

  // ---- inbound frames ---------------------------------------------------------------------

  private readonly onSocketData = (chunk: Buffer): void => {
    this.wireBytesIn += chunk.length;
    if (this.state !== 'open') {
      // Closing: dropped unread. A peer still flooding us gets no more of our time than this.
      this.discardedWhileClosing += chunk.length;
      if (this.discardedWhileClosing > CLOSING_DISCARD_BYTES) this.socket.pause();
      return;
    }
    const limit = this.inboundLimit;
    if (limit !== null && this.wireBytesIn > limit.bytes) {
      this.failProtocol(new MuxProtocolError(`the peer sent more than ${limit.bytes} bytes ${limit.until}`));
      return;
    }
    if (this.readPaused) {
      // A transport that emits after pause(): keep the bytes, in order, for when reading resumes.
      this.unread = this.unread === undefined ? chunk : Buffer.concat([this.unread, chunk]);
      return;
    }
    this.parse(chunk);
  };

  /** Parses `chunk`; keeps what was not parsed when reading stopped. */
  private parse(chunk: Buffer): void {
    try {
      const consumed = this.decoder.push(chunk);
      if (consumed < chunk.length && this.readPaused && this.state === 'open') this.unread = chunk.subarray(consumed);
      // (A frame of this chunk may have closed the session: then nothing more is delivered.)
      if (this.closed) this.joiner.clear();
      else this.joiner.flush();
    } catch (error) {
      this.joiner.clear();
      if (error instanceof MuxProtocolError) this.failProtocol(error);
      // A listener of ours threw (a 'stream' or 'data' handler): report it, do not crash.
      else this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Asked before each frame: reading stops while the write queue is over its bound, and until the
   * next turn of the event loop (or longer: read-budget.ts) once the reading budget is spent.
   */
  private readMore(): boolean {
    if (!this.readBudget.allows()) {
      this.stopReading();
      this.scheduleTurnEnd();
      return false;
    }
    if (this.writer.queuedBytes <= this.readPauseBytes) return true;
    if (!this.readPaused) this.readPauses += 1;
    this.stopReading();
    return false;
  }

  private stopReading(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    this.socket.pause();
  }

  private spend(units: number): void {
    this.readBudget.spend(units);
    if (this.readBudget.turnWork >= TURN_ACCOUNTING_FROM) this.scheduleTurnEnd();
  }

  private scheduleTurnEnd(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(this.endTurn);
  }

  /** This turn's work is charged; reading goes on at once, or once the budget has refilled. */
  private readonly endTurn = (): void => {
    this.budgetTimer = undefined;
    if (this.state !== 'open') {
      this.turnScheduled = false;
      return;
    }
    const waitMs = this.readBudget.nextTurn();
    if (waitMs > 0) {
      this.budgetTimer = setTimeout(this.endTurn, waitMs);
      this.budgetTimer.unref();
      return;
    }
    this.turnScheduled = false;
    this.resumeReading();
  };

  /** The socket took part of the queue: read again (on the next turn of the event loop). */
  private onWriterBelow(): void {
    if (!this.readPaused || this.resumeScheduled || this.state !== 'open') return;
    this.resumeScheduled = true;
    setImmediate(this.resumeReadingSoon);
  }

  private readonly resumeReadingSoon = (): void => {
    this.resumeScheduled = false;
    this.resumeReading();
  };

  /** Reads again unless a reason to stop still holds (the queue over its bound, the turn's budget spent). */
  private resumeReading(): void {
    if (!this.readPaused || this.state !== 'open') return;
    if (this.writer.queuedBytes > this.readPauseBytes || !this.readBudget.allows()) return;
    this.readPaused = false;
    const rest = this.unread;
    this.unread = undefined;
    if (rest !== undefined) this.parse(rest);
    // Parsing the rest may have stopped reading again, or ended the session.
    if (this.readingOn()) this.socket.resume();
  }

  private readingOn(): boolean {
    return !this.readPaused && this.state === 'open';
  }

  private onFrame(header: Readonly<FrameHeader>): void {
    this.framesIn += 1;
    this.spend(1);
    if (this.writer.queuedBytes > this.readPauseBytes) this.framesReadWhileBlocked += 1;
    const limit = this.inboundLimit;
    if (limit !== null && this.framesIn > limit.frames)
      throw new MuxProtocolError(`the peer sent more than ${limit.frames} frames ${limit.until}`);
    // A held piece waits only for more body of its own stream; anything else is delivered after it.
    const held = this.joiner.heldFor;
    if (
      held !== undefined &&
      !(
        header.type === FrameType.Data &&
        (header.flags & (Flag.SYN | Flag.RST)) === 0 &&
        this.streams.get(header.streamId) === held
      )
    ) {
      this.joiner.flush();
    }
    switch (header.type) {
      case FrameType.Data:
      case FrameType.WindowUpdate:
        this.onStreamFrame(header);
        return;
      case FrameType.Ping:
        if ((header.flags & Flag.ACK) !== 0) this.pings.onPong(header.length);
        else if (header.streamId === SESSION_STREAM_ID || this.streams.has(header.streamId)) {
          this.writer.writeFrame(FrameType.Ping, Flag.ACK, SESSION_STREAM_ID, header.length);
        }
        return;
      case FrameType.GoAway:
        this.onGoAway(header.length);
        return;
    }
  }

  private onStreamFrame(header: Readonly<FrameHeader>): void {
    const { type, flags, streamId: id, length } = header;
    this.bodyTarget = undefined;
    if (id === SESSION_STREAM_ID) throw new MuxProtocolError(`${frameTypeName(type)} frame on stream 0`);
    if ((flags & Flag.RST) !== 0) {
      const reset = this.streams.get(id);
      const waiting = reset && this.backlog.length > 0 ? this.backlog.indexOf(reset) : -1;
      if (waiting >= 0) {
        // Never handed out, so nobody listens for its error: just drop it.
        this.backlog.splice(waiting, 1);
        reset?.abort(undefined);
      } else reset?.onRemoteReset();
      return;
    }
    let stream = this.streams.get(id);
    if ((flags & Flag.SYN) !== 0) {
      if (stream) throw new MuxProtocolError(`the peer opened stream ${id}, which is already open`);
      if (!this.isPeerStreamId(id))
        throw new MuxProtocolError(`the peer opened stream ${id}, an id of the ${this.mode}'s parity`);
      if (this.streams.size >= this.config.maxStreams) {
        throw new MuxProtocolError(
          `the peer exceeded the limit of ${this.config.maxStreams} streams`,
          type === FrameType.Data ? GoAwayCode.InternalError : GoAwayCode.ProtocolError,
        );
      }
      stream = this.accept(id, type === FrameType.WindowUpdate ? length : 0);
      if (this.state !== 'open') return; // a 'stream' listener closed the session
    } else if (!stream) {
      return; // a stream we already forgot: ignore (and its body), as 0.10 does
    }
    if (type === FrameType.WindowUpdate) {
      if ((flags & Flag.SYN) === 0) stream.onWindowUpdate(length);
      if ((flags & Flag.FIN) !== 0) stream.onRemoteFin();
      return;
    }
    if (!stream.beginData(length)) {
      throw new MuxProtocolError(`stream ${id}: a ${length}-byte Data body exceeds the peer's remaining credit`);
    }
    this.bodyTarget = stream;
    this.bodyFin = (flags & Flag.FIN) !== 0;
  }

  private onDataPiece(piece: Buffer): void {
    this.counters.dataBytesIn += piece.length;
    if (this.bodyTarget) this.joiner.add(this.bodyTarget, piece);
  }

  private onDataEnd(): void {
    const target = this.bodyTarget;
    this.bodyTarget = undefined;
    if (target && this.bodyFin) {
      this.joiner.flush();
      target.onRemoteFin();
    }
  }

  private isPeerStreamId(id: number): boolean {
    return this.mode === 'client' ? id % 2 === 0 : id % 2 === 1;
  }

  private accept(id: number, extraCredit: number): MuxStream {
    this.spend(STREAM_OPEN_WORK);
    const stream = new MuxStream(this.host, {
      id,
      direction: 'inbound',
      sendCredit: INITIAL_STREAM_WINDOW + extraCredit,
      receiveWindow: this.config.initialStreamWindow,
      // The peer assumes the spec's window until we say otherwise.
      receiveCredit: INITIAL_STREAM_WINDOW,
      firstFrameFlag: Flag.ACK,
    });
    this.streams.set(id, stream);
    this.inboundStreams += 1;
    if (this.backlog.length === 0 && this.listenerCount('stream') > 0) this.emit('stream', stream);
    else if (this.backlog.length < this.config.inboundBacklog) this.backlog.push(stream);
    else stream.reset(); // 0.10 drops what its queue cannot hold, which resets the stream
    return stream;
  }

  private readonly onNewListener = (event: string | symbol): void => {
    if (event === 'stream' && this.backlog.length > 0) process.nextTick(this.flushBacklog);
  };

  private readonly flushBacklog = (): void => {
    while (this.backlog.length > 0 && this.listenerCount('stream') > 0 && this.state === 'open') {
      const stream = this.backlog.shift();
      if (stream && !stream.destroyed) this.emit('stream', stream);
    }
  };

  private onGoAway(code: number): void {
    // 0.10 treats any GoAway as the end of the connection.
    const error = code === GoAwayCode.Normal ? undefined : new MuxRemoteGoAwayError(code);
    this.terminate({
      error,
      streamError: error ?? new MuxSessionClosedError('the peer closed the session (GoAway)'),
      graceful: true,
    });
  }

  private failProtocol(error: MuxProtocolError): void {
    this.terminate({ goAway: error.goAwayCode, error, streamError: error, graceful: true });
  }

  // ---- socket events and shutdown ------------------------------------------------------

  private readonly onSocketEnd = (): void => {
    if (this.state === 'open') {
      const error = new MuxConnectionLostError('the connection was closed by the peer without GoAway');
      this.terminate({ error, streamError: error, graceful: false });
    }
  };

  private readonly onSocketError = (cause: unknown): void => {
    const error = new MuxConnectionLostError(
      `connection error: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    );
    this.terminate({ error, streamError: error, graceful: false });
  };

  private readonly onSocketClose = (): void => {
    if (this.state === 'open') {
      const error = new MuxConnectionLostError('the connection closed without GoAway');
      this.terminate({ error, streamError: error, graceful: false });
    } else if (this.state === 'closing') {
      this.finish();
    }
  };

  private terminate(how: Termination): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing') {
      // Already closing gracefully; an abrupt request cuts the wait short.
      if (!how.graceful) {
        this.writer.close();
        this.socket.destroy();
        this.finish();
      }
      return;
    }
    this.state = 'closing';
    this.closeError = how.error;
    this.decoder.stop();
    if (this.budgetTimer !== undefined) clearTimeout(this.budgetTimer);
    this.budgetTimer = undefined;
    this.unread = undefined;
    this.readPaused = false;
    this.bodyTarget = undefined;
    this.joiner.clear();
    this.pings.close(how.streamError);
    if (how.goAway !== undefined) this.writer.writeFrame(FrameType.GoAway, 0, SESSION_STREAM_ID, how.goAway);
    // Streams still in the backlog were never handed out: nobody listens for their errors.
    const unclaimed = new Set(this.backlog);
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.inboundStreams = 0;
    this.backlog.length = 0;
    for (const stream of streams) stream.abort(unclaimed.has(stream) ? undefined : how.streamError);
    if (how.graceful && !this.socket.destroyed) {
      this.writer.end();
      this.closeTimer = setTimeout(() => {
        this.socket.destroy();
        this.finish();
      }, this.config.closeTimeoutMs);
      this.closeTimer.unref();
      // Keep reading (and discarding) so the peer's last bytes do not turn our close into a TCP RST.
      this.socket.resume();
    } else {
      this.writer.close();
      this.socket.destroy();
      this.finish();
    }
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    this.writer.close();
    this.socket.removeListener('data', this.onSocketData);
    this.socket.removeListener('end', this.onSocketEnd);
    this.socket.removeListener('close', this.onSocketClose);
    // The 'error' listener stays: a late socket error must not become an uncaught exception.
    this.removeListener('newListener', this.onNewListener);
    const error = this.closeError;
    this.resolveClosed();
    this.emit('close', error);
  }
}

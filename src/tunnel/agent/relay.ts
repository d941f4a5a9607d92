/**
 * Copying bytes between a data stream and its target socket once `Ok` was sent
 * (PROTOCOL.md §7.5 step 6), with backpressure both ways: a side whose destination's buffer is
 * full stops being read until the destination drains, and the mux stream only returns credit
 * to the gateway as bytes are consumed, so at most a receive window plus the socket buffers is
 * ever held.
 *
 * - Half-close (`use_half_close`): each direction runs to its end on its own. Target EOF → FIN
 *   on the stream; gateway FIN → TCP FIN to the target. Done when both directions are done.
 * - Full close (default): the first direction to end (EOF or error) ends the transfer: FIN on
 *   the stream, the target socket closed (unread target data may turn that into an RST, as with
 *   the reference), further gateway data read and discarded, then the stream is dropped.
 * - A gateway RST or the session's end aborts the copy and destroys the target socket.
 *
 * Toward a gateway that stops reading, a stream holds at most the rest of one target read
 * (one frame, target-reader.ts): each read is queued for the gateway at once if credit and the
 * connection's write queue allow (`sendNow`), and otherwise copied and written, the target
 * socket pausing before its next read until the stream has queued it.
 *
 * One `Relay` object per stream holds the state and its listeners; gateway → target is a 'data'
 * listener that writes on and pauses the stream when the target is full, target → gateway the
 * reader's callback (`pipe()` would add a dozen closures and a state per direction — this relay
 * is what an idle stream costs, times thousands of streams).
 */
import type net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { MuxStream } from '../mux/index.js';
import { describeError } from './connect-error.js';
import type { TargetReader } from './target-reader.js';

export interface RelayHooks {
  /** The gateway half-closed the stream (no more bytes to the target). */
  readonly onGatewayClosed: () => void;
  /** The target half-closed its socket (no more bytes to the gateway). */
  readonly onTargetClosed: () => void;
}

export interface RelayOutcome {
  /** Bytes read from the target and sent to the gateway. */
  readonly sent: number;
  /** Bytes received from the gateway and written to the target. */
  readonly received: number;
  /** Why the copy ended abnormally (reset, socket error, stop), or null. */
  readonly error: string | null;
  /**
   * Full close: the direction whose end ended the transfer (`gateway`: gateway → target), the
   * other one was cut short. Half close: null (both ran to their end).
   */
  readonly decidedBy: 'gateway' | 'target' | null;
}

/**
 * Starts copying; `onEnd` is called once, when both sides are done or the copy was aborted.
 * A callback rather than a promise: an idle stream then holds no promise, reaction or context.
 */
export function startRelay(
  stream: MuxStream,
  socket: net.Socket,
  reader: TargetReader,
  halfClose: boolean,
  hooks: RelayHooks,
  signal: AbortSignal,
  onEnd: (outcome: RelayOutcome) => void,
): void {
  new Relay(stream, socket, reader, halfClose, hooks, signal, onEnd).start();
}

/** A writable side is done once it finished, or can no longer finish. */
function isWriteDone(writable: { readonly writableFinished: boolean; readonly destroyed: boolean }): boolean {
  return writable.writableFinished || writable.destroyed;
}

/** Writes `chunk` to `to`; when `to` is full, pauses `from` until `to` drains. */
function forward(from: Readable, to: Writable, chunk: Buffer): void {
  if (!to.write(chunk)) {
    from.pause();
    to.once('drain', () => from.resume());
  }
}

class Relay {
  /** The target socket is paused until the stream has queued what it holds. */
  private targetPaused = false;
  private gatewayEnded = false;
  private targetEnded = false;
  private shuttingDown = false;
  private settled = false;
  private failure: string | null = null;
  private decidedBy: 'gateway' | 'target' | null = null;

  constructor(
    private readonly stream: MuxStream,
    private readonly socket: net.Socket,
    private readonly reader: TargetReader,
    private readonly halfClose: boolean,
    private readonly hooks: RelayHooks,
    private readonly signal: AbortSignal,
    private readonly resolve: (outcome: RelayOutcome) => void,
  ) {}

  start(): void {
    const { stream, socket } = this;
    stream.on('end', this.onGatewayEnd);
    socket.on('end', this.onTargetEnd);
    stream.on('finish', this.maybeFinish);
    socket.on('finish', this.maybeFinish);
    stream.on('error', this.onStreamError);
    stream.on('close', this.onStreamClose);
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
    this.signal.addEventListener('abort', this.onAbort, { once: true });
    if (this.signal.aborted) {
      this.onAbort();
      return;
    }
    stream.on('data', this.toTarget);
    // Flowing from here (the Connect was read in paused mode; the target paused after its first read).
    stream.resume();
    if (this.reader.attach(this.toGateway)) socket.resume();
    // The target may have closed before we got here: its 'end' went by unheard.
    if (socket.readableEnded) this.onTargetEnd();
  }

  private readonly toTarget = (chunk: Buffer): void => {
    forward(this.stream, this.socket, chunk);
  };

  /**
   * Target → gateway. The target socket is paused as soon as the stream cannot queue a chunk for
   * the gateway at once (no credit, or the connection's write queue is full), and resumed when
   * it has: toward a gateway that stops reading, a stream holds at most the one chunk in hand
   * instead of filling its writable buffer (128 KiB) behind it.
   */
  /**
   * Target → gateway: one read (a view of the shared read buffer, valid during this call only).
   * Returns false to pause the target until the stream has queued the rest.
   */
  private readonly toGateway = (bytes: Buffer): boolean => {
    if (this.shuttingDown) return true; // full close: the rest of the target's bytes go nowhere
    const { stream } = this;
    const queued = stream.sendNow(bytes);
    if (queued === bytes.length) return true;
    if (stream.destroyed || stream.writableEnded) return true;
    stream.write(Buffer.from(bytes.subarray(queued)), this.onRestQueued);
    this.targetPaused = true;
    return false;
  };

  private readonly onRestQueued = (error?: Error | null): void => {
    if (!this.targetPaused) return;
    this.targetPaused = false;
    if (error === null || error === undefined) this.socket.resume();
  };

  private readonly onGatewayEnd = (): void => {
    this.gatewayEnded = true;
    this.hooks.onGatewayClosed();
    if (this.halfClose && !this.shuttingDown) this.socket.end();
    else this.shutDown('gateway');
    this.maybeFinish();
  };

  private readonly onTargetEnd = (): void => {
    this.targetEnded = true;
    this.hooks.onTargetClosed();
    if (this.halfClose && !this.shuttingDown) this.stream.end();
    else this.shutDown('target');
    this.maybeFinish();
  };

  /** From here on the stream's end (its reset included) is expected, not a failure. */
  private ending(): boolean {
    return this.shuttingDown || (this.gatewayEnded && this.targetEnded);
  }

  private readonly onStreamError = (error: Error): void => {
    if (this.ending()) this.maybeFinish();
    else this.abort(describeError(error));
  };

  private readonly onStreamClose = (): void => {
    if (this.ending()) this.maybeFinish();
    else this.abort('the stream was closed before both directions ended');
  };

  private readonly onSocketError = (error: Error): void => {
    this.failure ??= `i/o error: ${describeError(error)}`;
    this.shutDown('target');
  };

  private readonly onSocketClose = (): void => {
    if (!this.settled) {
      this.targetEnded = true;
      this.shutDown('target');
      this.maybeFinish();
    }
  };

  private readonly onAbort = (): void => {
    this.abort('stopped');
  };

  /**
   * Done once both writable sides are. Except after a full close the target decided (its EOF or
   * error): what we still hold for it is dropped with the socket, as the reference drops its
   * copy — a target that stopped reading when it closed would otherwise hold the stream forever.
   */
  private readonly maybeFinish = (): void => {
    if (this.settled) return;
    if (!this.ending() || !isWriteDone(this.stream)) return;
    if (isWriteDone(this.socket) || (!this.halfClose && this.decidedBy === 'target')) this.settle();
  };

  /** Full close (or a failed side): FIN both ways, stop feeding the target, discard the rest. */
  private shutDown(by: 'gateway' | 'target'): void {
    if (this.shuttingDown) return;
    const { stream, socket } = this;
    this.decidedBy = by;
    this.shuttingDown = true;
    stream.off('data', this.toTarget);
    // The target's further bytes are dropped by toGateway; a target paused for them reads on.
    if (this.targetPaused) {
      this.targetPaused = false;
      socket.resume();
    }
    // Keep reading the stream so the gateway is never blocked on credit; the bytes go nowhere.
    stream.resume();
    if (!stream.writableEnded && !stream.destroyed) stream.end();
    if (!socket.writableEnded && !socket.destroyed) socket.end();
    this.maybeFinish();
  }

  private abort(reason: string | null): void {
    if (this.settled) return;
    this.failure ??= reason;
    this.settle();
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    const { stream, socket } = this;
    this.signal.removeEventListener('abort', this.onAbort);
    stream.destroy();
    socket.destroy();
    this.resolve({
      sent: socket.bytesRead,
      received: socket.bytesWritten,
      error: this.failure,
      decidedBy: this.halfClose ? null : this.decidedBy,
    });
  }
}

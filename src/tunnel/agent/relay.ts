/**
 * Copying bytes between a data stream and its target socket once `Ok` was sent
 * (PROTOCOL.md §7.5 step 6), with backpressure both ways: `pipe` stops reading one side while
 * the other's buffer is full, and the mux stream only returns credit to the gateway as bytes are
 * consumed, so at most a receive window plus the socket buffers is ever held.
 *
 * - Half-close (`use_half_close`): each direction runs to its end on its own. Target EOF → FIN
 *   on the stream; gateway FIN → TCP FIN to the target. Done when both directions are done.
 * - Full close (default): the first direction to end (EOF or error) ends the transfer: FIN on
 *   the stream, the target socket closed (unread target data may turn that into an RST, as with
 *   the reference), further gateway data read and discarded, then the stream is dropped.
 * - A gateway RST or the session's end aborts the copy and destroys the target socket.
 */
import type net from 'node:net';
import type { MuxStream } from '../mux/index.js';
import { describeError } from './connect-error.js';

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

export function relay(stream: MuxStream, socket: net.Socket, halfClose: boolean, hooks: RelayHooks, signal: AbortSignal): Promise<RelayOutcome> {
  return new Promise<RelayOutcome>((resolve) => {
    let gatewayEnded = false;
    let targetEnded = false;
    let shuttingDown = false;
    let settled = false;
    let failure: string | null = null;
    let decidedBy: 'gateway' | 'target' | null = null;

    const settle = (): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
      socket.destroy();
      resolve({ sent: socket.bytesRead, received: socket.bytesWritten, error: failure, decidedBy: halfClose ? null : decidedBy });
    };

    /** Both writable sides are done (our FIN and the target's TCP FIN are out, or the side is gone). */
    const writableSidesDone = (): boolean => isWriteDone(stream) && isWriteDone(socket);

    const maybeFinish = (): void => {
      if (settled) return;
      if (shuttingDown || (gatewayEnded && targetEnded)) {
        if (writableSidesDone()) settle();
      }
    };

    /** Full close (or a failed side): FIN both ways, stop feeding the target, discard the rest. */
    const shutDown = (by: 'gateway' | 'target'): void => {
      if (shuttingDown) return;
      decidedBy = by;
      shuttingDown = true;
      socket.unpipe(stream);
      stream.unpipe(socket);
      // Keep reading the stream so the gateway is never blocked on credit; the bytes go nowhere.
      stream.resume();
      if (!stream.writableEnded && !stream.destroyed) stream.end();
      if (!socket.writableEnded && !socket.destroyed) socket.end();
      maybeFinish();
    };

    const abort = (reason: string | null): void => {
      if (settled) return;
      failure ??= reason;
      settle();
    };

    const onAbort = (): void => {
      abort('stopped');
    };

    stream.on('end', () => {
      gatewayEnded = true;
      hooks.onGatewayClosed();
      if (halfClose && !shuttingDown) socket.end();
      else shutDown('gateway');
      maybeFinish();
    });
    socket.on('end', () => {
      targetEnded = true;
      hooks.onTargetClosed();
      if (halfClose && !shuttingDown) stream.end();
      else shutDown('target');
      maybeFinish();
    });
    stream.on('finish', maybeFinish);
    socket.on('finish', maybeFinish);

    /** From here on the stream's end (its reset included) is expected, not a failure. */
    const ending = (): boolean => shuttingDown || (gatewayEnded && targetEnded);
    stream.on('error', (error: Error) => {
      if (ending()) maybeFinish();
      else abort(describeError(error));
    });
    stream.on('close', () => {
      if (ending()) maybeFinish();
      else abort('the stream was closed before both directions ended');
    });
    socket.on('error', (error: Error) => {
      failure ??= `i/o error: ${describeError(error)}`;
      shutDown('target');
    });
    socket.on('close', () => {
      if (!settled) {
        targetEnded = true;
        shutDown('target');
        maybeFinish();
      }
    });

    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) {
      onAbort();
      return;
    }
    stream.pipe(socket, { end: false });
    socket.pipe(stream, { end: false });
  });
}

/** A writable side is done once it finished, or can no longer finish. */
function isWriteDone(writable: { readonly writableFinished: boolean; readonly destroyed: boolean }): boolean {
  return writable.writableFinished || writable.destroyed;
}

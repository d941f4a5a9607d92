/**
 * Connecting to the first reachable address of a list, the whole phase bounded by one deadline
 * (the reference's `timeout(connect_timeout, connect_any(…))`): addresses are tried in order,
 * each failure is reported and the next one tried; the deadline or the caller's signal cancels
 * the attempt in flight and destroys its socket, so nothing outlives the call.
 */
import net from 'node:net';
import type { Clock } from './clock.js';
import { ConnectError, describeError } from './connect-error.js';
import type { ResolvedAddress } from './lookup.js';

/** Opens one connection to `address`; must destroy its socket and reject once `signal` aborts. */
export type Dialer<S> = (address: ResolvedAddress, signal: AbortSignal) => Promise<S>;

export interface DialOptions {
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** The caller's cancellation (agent stopping); its reason is rethrown. */
  readonly signal: AbortSignal;
  /** One address failed (the reference logs it at debug level). */
  readonly onAddressFailed: (address: ResolvedAddress, error: unknown) => void;
  /** The i/o error detail when every address failed, e.g. `could not connect to any address of db:5432`. */
  readonly exhaustedMessage: string;
}

export async function dialFirst<S>(
  addresses: readonly ResolvedAddress[],
  dial: Dialer<S>,
  options: DialOptions,
): Promise<{ readonly socket: S; readonly address: ResolvedAddress }> {
  options.signal.throwIfAborted();
  const deadline = new AbortController();
  const timer = options.clock.schedule(options.timeoutMs, () => {
    deadline.abort(ConnectError.timeout());
  });
  const onOuterAbort = (): void => {
    deadline.abort(options.signal.reason);
  };
  options.signal.addEventListener('abort', onOuterAbort, { once: true });
  // The message stays the reference's; the last address's error is kept as the cause (ECONNREFUSED, …).
  let lastFailure: unknown;
  try {
    for (const address of addresses) {
      try {
        return { socket: await dial(address, deadline.signal), address };
      } catch (error) {
        if (deadline.signal.aborted) break;
        lastFailure = error;
        options.onAddressFailed(address, error);
      }
    }
    if (options.signal.aborted) throw options.signal.reason;
    if (deadline.signal.aborted) throw ConnectError.timeout();
    throw ConnectError.io(options.exhaustedMessage, lastFailure);
  } finally {
    timer.cancel();
    options.signal.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * Settles a socket's connection attempt: resolves on `readyEvent`, rejects (and destroys the
 * socket) on error, close or abort.
 */
export function awaitSocketReady<S extends net.Socket>(
  socket: S,
  readyEvent: 'connect' | 'secureConnect',
  signal: AbortSignal,
): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const cleanup = (): void => {
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      cleanup();
      // A late error after destroy must not become an uncaught exception.
      socket.on('error', ignore);
      socket.destroy();
      reject(error instanceof Error ? error : new Error(describeError(error)));
    };
    const onReady = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error): void => {
      fail(error);
    };
    const onClose = (): void => {
      fail(new Error('connection closed during setup'));
    };
    const onAbort = (): void => {
      fail(signal.reason);
    };
    if (signal.aborted) {
      fail(signal.reason);
      return;
    }
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    socket.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function ignore(): void {
  // deliberately empty
}

/**
 * What a target socket may hold toward a target that does not read before the relay stops taking
 * bytes from the gateway: one mux frame. Set explicitly because Node's default changed (16 KiB
 * up to Node 20, 64 KiB from Node 22), and the bound must not depend on the runtime.
 */
export const TARGET_WRITE_HIGH_WATER_MARK = 16 * 1024;

/**
 * A plain TCP connection to one address. Half-open is allowed: the target's FIN must not end
 * our writing side (half-close relays need it; full-close relays end it themselves).
 */
export function dialTcp(port: number, onread?: net.OnReadOpts): Dialer<net.Socket> {
  return (address, signal) => {
    // net.Socket hands its options to stream.Duplex, which reads writableHighWaterMark; the
    // typings list only the socket's own options.
    const options: net.NetConnectOpts & { writableHighWaterMark: number } = {
      host: address.address,
      port,
      family: address.family,
      allowHalfOpen: true,
      writableHighWaterMark: TARGET_WRITE_HIGH_WATER_MARK,
      // How a relay reads it (target-reader.ts), if given.
      ...(onread === undefined ? {} : { onread }),
    };
    return awaitSocketReady(net.connect(options), 'connect', signal);
  };
}

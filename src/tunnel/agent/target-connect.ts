/**
 * Connecting to a target the gateway asked for (a data stream's `Connect`, or a `Test`), as the
 * reference's `stream::connect` (PROTOCOL.md §7.5 steps 3–4): an `Addr` is used as is, a `Name`
 * is resolved with the system resolver (no addresses = `host … not reachable`; resolution is not
 * covered by the timeout), then each address gets a plain TCP connect, the whole connect phase
 * bounded by `connect-timeout`. A name reaches the resolver only as resolvable-name.ts allows
 * (a host name, not an IP address in disguise, A–Z folded); any other fails here, before any
 * lookup or socket, with an i/o error (the gateway's answer: `CouldNotConnect`).
 *
 * Socket options: TCP keepalive with a 30 s idle time, as the reference. The reference also sets
 * a 10 s probe interval and 3 probes (Unix; Windows: interval only). Node 20 exposes only the idle
 * time (`setKeepAlive(true, 30000)`); its libuv (1.46) then sets interval 1 s and 10 probes on
 * Linux (seen with strace: TCP_KEEPIDLE 30, TCP_KEEPINTVL 1, TCP_KEEPCNT 10), so a dead target
 * is noticed after about 40 s instead of the reference's 60 s; other OSes keep their defaults.
 * Deliberate difference: TCP_NODELAY is set, because database protocols are request/response and
 * Nagle's algorithm would hold back small requests.
 */
import type net from 'node:net';
import type { Address } from '../codec/index.js';
import { abortable } from './abortable.js';
import type { Clock } from './clock.js';
import { ConnectError, describeError } from './connect-error.js';
import { dialFirst, dialTcp } from './dial.js';
import { formatSocketAddress, type ResolvedAddress, type Resolver } from './lookup.js';
import { nameProblemText, resolvableName } from './resolvable-name.js';
import { targetText } from './target-text.js';

/** TCP keepalive idle time on target sockets (the reference's `with_time(30 s)`). */
export const TARGET_KEEPALIVE_IDLE_MS = 30_000;

export interface TargetConnectOptions {
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly resolver: Resolver;
  readonly signal: AbortSignal;
  /** One address failed; the reference logs `failed to connect to <addr> (<target>): <error>` at debug. */
  readonly onAddressFailed: (address: string, error: unknown) => void;
  /** How the socket is read (a data stream's relay: target-reader.ts); default Node's 'data' events. */
  readonly onread?: net.OnReadOpts;
}

export interface TargetSocket {
  readonly socket: net.Socket;
  /** The socket address connected to, e.g. `10.0.0.5:5432`. */
  readonly resolved: string;
}

async function resolveTarget(address: Address, options: TargetConnectOptions): Promise<readonly ResolvedAddress[]> {
  if (address.kind === 'addr') return [{ address: address.ip, family: address.family }];
  const name = resolvableName(address.name);
  if (!name.ok) throw ConnectError.io(nameProblemText(name.problem));
  let found: readonly ResolvedAddress[];
  try {
    found = await abortable(options.resolver(name.lookupName), options.signal);
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    throw ConnectError.io(describeError(error), error);
  }
  if (found.length === 0) throw ConnectError.unreachable(address.name);
  return found;
}

/** Rejects with a `ConnectError` (or the signal's reason once it aborts). */
export async function connectTarget(address: Address, options: TargetConnectOptions): Promise<TargetSocket> {
  const candidates = await resolveTarget(address, options);
  const target = targetText(address);
  const { socket, address: connected } = await dialFirst(candidates, dialTcp(address.port, options.onread), {
    timeoutMs: options.timeoutMs,
    clock: options.clock,
    signal: options.signal,
    onAddressFailed: (failed, error) => {
      options.onAddressFailed(formatSocketAddress(failed.address, address.port), error);
    },
    exhaustedMessage: `could not connect to any address of ${target}`,
  });
  socket.setKeepAlive(true, TARGET_KEEPALIVE_IDLE_MS);
  socket.setNoDelay(true);
  return { socket, resolved: formatSocketAddress(connected.address, address.port) };
}

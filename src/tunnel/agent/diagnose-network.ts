/**
 * The network steps of `diagnose`, with the engine's own code: the system resolver (lookup.ts),
 * the dialer that tries each address within `connect-timeout` (dial.ts), and the proxy's CONNECT
 * (http-connect.ts). Each failure is explained by what the operating system said (refused, no
 * route, no answer) with what to do about it.
 */
import { isIP } from 'node:net';
import { gatewayTcpFix, nameResolutionFix } from '../../shared/connection-fixes.js';
import type { DiagnoseStep } from '../../shared/diagnose-report.js';
import { AGENT_VERSION_TEXT } from './agent-version.js';
import type { Clock } from './clock.js';
import { ConnectError, describeError } from './connect-error.js';
import { dialFirst, dialTcp } from './dial.js';
import { httpConnect, ProxyError } from './http-connect.js';
import { formatSocketAddress, type ResolvedAddress, type Resolver } from './lookup.js';
import type { ProxySettings } from './proxy-config.js';

export interface ProbeContext {
  readonly resolver: Resolver;
  readonly clock: Clock;
  readonly connectTimeoutMs: number;
  readonly signal: AbortSignal;
}

export type StepBody = Omit<DiagnoseStep, 'kind' | 'title' | 'millis'>;

/** The error code Node gives a failed socket or lookup (`ECONNREFUSED`, `ENOTFOUND`, …), or the engine's timeout. */
export function errorCode(error: unknown): string {
  if (error instanceof ConnectError && error.failure === 'timeout') return 'TIMEOUT';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}

/** The addresses of `name` (an IP literal is its own address). */
export async function resolveName(
  name: string,
  context: ProbeContext,
): Promise<{ readonly body: StepBody; readonly addresses: readonly ResolvedAddress[] }> {
  const family = isIP(name);
  if (family !== 0) {
    return {
      addresses: [{ address: name, family: family === 6 ? 6 : 4 }],
      body: { status: 'pass', summary: `${name} is an IP address (nothing to resolve)`, details: [], fix: null },
    };
  }
  try {
    const addresses = await context.resolver(name);
    if (addresses.length === 0) {
      return {
        addresses,
        body: {
          status: 'fail',
          summary: `${name} has no addresses`,
          details: [],
          fix: `The name exists but has no A/AAAA record: check the name, or ask whoever runs its DNS zone.`,
        },
      };
    }
    return {
      addresses,
      body: {
        status: 'pass',
        summary: `${name} → ${addresses.map((a) => a.address).join(', ')}`,
        details: [],
        fix: null,
      },
    };
  } catch (error) {
    const fix = nameResolutionFix(errorCode(error), name);
    return {
      addresses: [],
      body: { status: 'fail', summary: `cannot resolve ${name}: ${describeError(error)}`, details: [], fix },
    };
  }
}

/** One TCP connection to the first address that answers (as the agent dials), closed at once. */
export async function reachByTcp(
  addresses: readonly ResolvedAddress[],
  port: number,
  host: string,
  what: 'gateway' | 'proxy',
  context: ProbeContext,
): Promise<StepBody> {
  const failures: string[] = [];
  const codes = new Set<string>();
  const started = performance.now();
  try {
    const { socket, address } = await dialFirst(addresses, dialTcp(port), {
      timeoutMs: context.connectTimeoutMs,
      clock: context.clock,
      signal: context.signal,
      onAddressFailed: (failed, error) => {
        codes.add(errorCode(error));
        failures.push(`${formatSocketAddress(failed.address, port)}: ${describeError(error)}`);
      },
      exhaustedMessage: `could not connect to any address of ${host}`,
    });
    socket.destroy();
    const millis = Math.round(performance.now() - started);
    return {
      status: 'pass',
      summary: `connected to ${formatSocketAddress(address.address, port)}${what === 'proxy' ? ' (the proxy)' : ''} in ${millis} ms`,
      details: failures,
      fix: null,
    };
  } catch (error) {
    codes.add(errorCode(error));
    return {
      status: 'fail',
      summary: `cannot reach ${host} port ${port}: ${describeError(error)}`,
      details: failures,
      fix: gatewayTcpFix(codes, host, port, what),
    };
  }
}

/** TCP to the proxy, then `CONNECT host:port`: does the proxy open a tunnel to the gateway? */
export async function openProxyTunnel(
  proxy: ProxySettings,
  addresses: readonly ResolvedAddress[],
  server: { readonly host: string; readonly port: number },
  context: ProbeContext,
): Promise<StepBody> {
  const target = `${server.host}:${server.port}`;
  let lastError: unknown = null;
  try {
    const { socket } = await dialFirst(
      addresses,
      async (address, signal) => {
        const raw = await dialTcp(proxy.port)(address, signal);
        await httpConnect(raw, server, {
          authorization: proxy.authorization,
          userAgent: `cluvio-agent/${AGENT_VERSION_TEXT}`,
          signal,
        });
        return raw;
      },
      {
        timeoutMs: context.connectTimeoutMs,
        clock: context.clock,
        signal: context.signal,
        onAddressFailed: (_, error) => {
          lastError = error;
        },
        exhaustedMessage: `the proxy ${proxy.display} opened no tunnel to ${target}`,
      },
    );
    socket.destroy();
    return {
      status: 'pass',
      summary: `${proxy.display} opened a tunnel to ${target}`,
      details: [
        `authentication: ${proxy.authorization === null ? 'none' : 'Basic (user and password from the proxy URL)'}`,
      ],
      fix: null,
    };
  } catch (error) {
    const cause = lastError ?? error;
    const status = cause instanceof ProxyError ? cause.status : null;
    const fix =
      status === 407 || status === 401
        ? proxy.authorization === null
          ? 'The proxy requires a user and password: give them in the proxy URL, http://user:password@proxy:port (any character may stay as it is, but write a % as %25 and a : in the user name as %3A).'
          : 'The proxy rejected the user or password in the proxy URL: check them (%XX in them is decoded: write a % as %25, a : in the user name as %3A).'
        : status === 403
          ? `The proxy does not allow tunnels to ${target}: ask its administrator to allow CONNECT to port ${server.port} (squid: SSL_ports / http_access; tinyproxy: ConnectPort), or exempt the gateway with no_proxy if it is reachable directly.`
          : status !== null
            ? `The proxy answered HTTP ${status} to CONNECT ${target}: ask its administrator why tunnels to this host are refused.`
            : 'The proxy did not answer CONNECT as an HTTP proxy: check that the URL names an HTTP proxy (not a SOCKS proxy or a web server).';
    return { status: 'fail', summary: describeError(cause), details: [], fix };
  }
}

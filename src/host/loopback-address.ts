/**
 * Addresses of the loopback listeners. The `--dashboard [ADDRESS]` value: where the loopback dashboard listens. `HOST`, `HOST:PORT`,
 * `[V6]:PORT` or a bare `PORT`; the host must be a loopback address (`127.x.y.z`, `::1`) or
 * `localhost`, because the dashboard can import a configuration and is protected by the URL's
 * token only. From another machine it is reached through an SSH tunnel, never directly.
 *
 * `--metrics-address` takes the same forms with the same rule (`parseMetricsAddress`): the
 * health and metrics endpoint has no token at all.
 */
import { isLoopbackHost } from '../tunnel/net/index.js';

export interface DashboardAddress {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
}

export const DEFAULT_DASHBOARD_ADDRESS: DashboardAddress = Object.freeze({ host: '127.0.0.1', port: 0 });

export type ParsedDashboardAddress =
  { readonly ok: true; readonly address: DashboardAddress } | { readonly ok: false; readonly error: string };

const PORT = /^[0-9]{1,5}$/;

function parsePort(text: string): number | null {
  if (!PORT.test(text)) return null;
  const port = Number(text);
  return port <= 65_535 ? port : null;
}

function split(text: string): { readonly host: string; readonly port: string | null } | null {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) return { host: bracketed[1] ?? '', port: bracketed[2] ?? null };
  const colons = text.split(':').length - 1;
  if (colons === 0) return { host: text, port: null };
  if (colons === 1) {
    const at = text.indexOf(':');
    return { host: text.slice(0, at), port: text.slice(at + 1) };
  }
  // More than one colon without brackets: an IPv6 address without a port.
  return { host: text, port: null };
}

/** `true` is the option given without a value. */
export function parseDashboardAddress(value: string | true): ParsedDashboardAddress {
  if (value === true) return { ok: true, address: DEFAULT_DASHBOARD_ADDRESS };
  return parseLoopbackAddress(value, 'the dashboard');
}

/** `--metrics-address` and the app's metrics setting: `HOST:PORT`, `[V6]:PORT`, `HOST` or `PORT`, on loopback only. */
export function parseMetricsAddress(value: string): ParsedDashboardAddress {
  return parseLoopbackAddress(value, 'the metrics endpoint');
}

/** `what` names the listener in errors (`the dashboard`, `the metrics endpoint`). */
export function parseLoopbackAddress(value: string, what: string): ParsedDashboardAddress {
  const text = value.trim();
  const bare = parsePort(text);
  if (bare !== null) return { ok: true, address: { host: DEFAULT_DASHBOARD_ADDRESS.host, port: bare } };
  const parts = split(text);
  if (parts === null || parts.host === '')
    return { ok: false, error: 'expected HOST, HOST:PORT, [IPv6]:PORT or PORT, e.g. 127.0.0.1:8080' };
  const host = parts.host.toLowerCase();
  let port = 0;
  if (parts.port !== null) {
    const parsed = parsePort(parts.port);
    if (parsed === null) return { ok: false, error: `\`${parts.port}\` is not a port number (0-65535)` };
    port = parsed;
  }
  if (!isLoopbackHost(host)) {
    return {
      ok: false,
      error:
        `${what} listens on loopback only, and ${parts.host} is not a loopback address: use 127.0.0.1, ::1 or localhost; ` +
        'from another machine, forward a port over SSH (ssh -L 8080:127.0.0.1:8080 <server>)',
    };
  }
  return { ok: true, address: { host, port } };
}

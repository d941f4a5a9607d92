/**
 * The outbound HTTP proxy the agent may have to use to reach its gateway (corporate networks):
 * an explicit URL (`--proxy`, the app's settings) or the environment as curl reads it for an
 * https URL (`https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`; lower case first, empty
 * means unset), with `no_proxy` / `NO_PROXY` exceptions:
 *
 * - a comma-separated list, spaces around entries ignored; `*` alone turns the proxy off;
 * - a name matches itself and every name below it (`example.com` and `.example.com` both match
 *   `example.com` and `db.example.com`, not `badexample.com`), case-insensitively, a trailing dot
 *   ignored; an IP address or CIDR network matches a host that is an IP literal inside it.
 *
 * Only `http://` proxies are supported (the agent speaks plain HTTP to the proxy and sends one
 * `CONNECT host:port`; TLS stays end to end with the gateway). A URL without a scheme is http,
 * without a port 1080 (curl's defaults). Credentials in the URL (`http://user:pass@proxy:3128`)
 * become `Proxy-Authorization: Basic …`; they appear nowhere else: `display` is the URL with the
 * user information replaced, and is what logs, the UI and diagnostics show.
 */
import { isIP } from 'node:net';
import type { Environment } from '../config/index.js';
import { networkContains, parseIpAddress, parseIpNetwork } from '../config/index.js';

/** curl's default proxy port. */
export const DEFAULT_PROXY_PORT = 1080;

/** Where the proxy setting came from, as diagnostics name it. */
export type ProxySource =
  'command line (--proxy)' | 'app settings' | 'https_proxy' | 'HTTPS_PROXY' | 'all_proxy' | 'ALL_PROXY';

export interface ProxySettings {
  /** The proxy's host name or IP address (no brackets). */
  readonly host: string;
  readonly port: number;
  /** `Basic <base64(user:password)>` from the URL's user information, or null. Never log it. */
  readonly authorization: string | null;
  /** The URL as it may be shown: `http://proxy.corp:3128`, credentials replaced by `[redacted]`. */
  readonly display: string;
  readonly source: ProxySource;
  /** The `no_proxy` entries (already split and trimmed). */
  readonly noProxy: readonly string[];
}

export type ParsedProxy =
  { readonly ok: true; readonly proxy: ProxySettings } | { readonly ok: false; readonly error: string };

const REDACTED_USERINFO = '[redacted]';

function bracketed(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Any text that may hold a proxy URL, with its user information replaced (for error messages). */
export function redactProxyUrl(text: string): string {
  return text.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)?[^@/?#\s]*@/i,
    (_, scheme: string | undefined) => `${scheme ?? ''}${REDACTED_USERINFO}@`,
  );
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Parses a proxy URL; an error never repeats the credentials. */
export function parseProxyUrl(text: string, source: ProxySource, noProxy: readonly string[] = []): ParsedProxy {
  const trimmed = text.trim();
  const shown = redactProxyUrl(trimmed);
  if (trimmed === '')
    return { ok: false, error: 'the proxy URL is empty: expected e.g. http://proxy.example.com:3128' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, error: `\`${shown}\` is not a URL: expected e.g. http://proxy.example.com:3128` };
  }
  if (url.protocol !== 'http:') {
    return {
      ok: false,
      error: `\`${shown}\`: only http:// proxies are supported (the agent sends CONNECT in plain HTTP; TLS stays end to end with the gateway)`,
    };
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '')
    return { ok: false, error: `\`${shown}\` names no proxy host: expected e.g. http://proxy.example.com:3128` };
  const port = url.port === '' ? DEFAULT_PROXY_PORT : Number(url.port);
  const hasCredentials = url.username !== '' || url.password !== '';
  const authorization = hasCredentials
    ? `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`, 'utf8').toString('base64')}`
    : null;
  const display = `http://${hasCredentials ? `${REDACTED_USERINFO}@` : ''}${bracketed(host)}:${port}`;
  return { ok: true, proxy: { host, port, authorization, display, source, noProxy } };
}

function nonEmpty(env: Environment, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value;
}

/** The `no_proxy` list of the environment (lower case first). */
export function noProxyList(env: Environment): readonly string[] {
  const value = nonEmpty(env, 'no_proxy') ?? nonEmpty(env, 'NO_PROXY') ?? '';
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'] as const;

/** The proxy the environment asks for (null: none); a malformed value is an error, not "no proxy". */
export function proxyFromEnvironment(env: Environment): ParsedProxy | null {
  for (const variable of PROXY_VARIABLES) {
    const value = nonEmpty(env, variable);
    if (value === null) continue;
    const parsed = parseProxyUrl(value, variable, noProxyList(env));
    return parsed.ok ? parsed : { ok: false, error: `${variable}: ${parsed.error}` };
  }
  return null;
}

function nameMatches(host: string, entry: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const pattern = entry.toLowerCase().replace(/^\./, '').replace(/\.$/, '');
  if (pattern === '') return false;
  return name === pattern || name.endsWith(`.${pattern}`);
}

function addressMatches(host: string, entry: string): boolean {
  const ip = parseIpAddress(host);
  if (ip === null) return false;
  const network = parseIpNetwork(entry);
  if (network !== null) return networkContains(network, ip);
  const single = parseIpAddress(entry);
  return (
    single !== null && single.family === ip.family && single.bytes.every((byte, index) => byte === ip.bytes[index])
  );
}

/** Whether the agent goes through `proxy` to reach `host` (false when `no_proxy` exempts it). */
export function proxyApplies(proxy: ProxySettings, host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  for (const entry of proxy.noProxy) {
    if (entry === '*') return false;
    if (isIP(bare) !== 0 ? addressMatches(bare, entry) : nameMatches(bare, entry)) return false;
  }
  return true;
}

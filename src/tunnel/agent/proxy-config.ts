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
 *
 * The user information is everything between `scheme://` (or the start) and the LAST `@`, so a
 * generated password may hold `@`, `/`, `#`, `?`, `:` or spaces as they are; `%XX` is decoded
 * (write a literal `%` as `%25`, a `:` in the user name as `%3A`). A value that does not parse is
 * never repeated, not even in part: the error says which part is wrong.
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

/** What replaces a proxy setting that is not a URL wherever settings are listed (it may hold a password). */
export const NOT_A_URL = '[not a URL: not shown]';

const EXAMPLE = 'expected e.g. http://user:password@proxy.example.com:3128';

/** Why the value was not shown: an error never repeats any part of a value that did not parse. */
const UNSHOWN = '(the value is not shown: it may hold a password)';

/** Schemes a proxy URL may name (only http is supported); any other leading `word://` is not named back. */
const KNOWN_SCHEMES = new Set(['http', 'https', 'socks', 'socks4', 'socks4a', 'socks5', 'socks5h']);

function bracketed(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * A proxy URL taken apart: `[scheme://][userinfo@]host[:port][/]`. The user information runs to
 * the LAST `@` (a generated password may hold `@`, `/`, `#`, `?`, `:` or spaces; none of them can
 * appear in a host), the user name to its first `:`.
 */
interface ProxyUrlParts {
  /** The scheme as written (lower case), or null when the value had none. */
  readonly scheme: string | null;
  /** Null without an `@`. */
  readonly userinfo: string | null;
  /** Without brackets, as the WHATWG URL parser normalises it (lower case, IDNA, IPv4 forms). */
  readonly host: string;
  /** Null when the value named no port. */
  readonly port: number | null;
}

type SplitProxyUrl =
  { readonly ok: true; readonly parts: ProxyUrlParts } | { readonly ok: false; readonly why: string };

/**
 * What a host may look like before the URL parser checks it: a name (international names
 * included) or IPv4 address without `:`, brackets or spaces, or a bracketed IPv6 address.
 */
const HOST_CHARACTERS = /^(?:[^\s:[\]]+|\[[0-9A-Fa-f:.]+(?:%25[A-Za-z0-9._~-]+)?\])$/u;

function splitProxyUrl(text: string): SplitProxyUrl {
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  const scheme = schemeMatch?.[1]?.toLowerCase() ?? null;
  const rest = schemeMatch === null ? text : text.slice(schemeMatch[0].length);
  const at = rest.lastIndexOf('@');
  const userinfo = at < 0 ? null : rest.slice(0, at);
  let location = at < 0 ? rest : rest.slice(at + 1);
  // A trailing `/` is allowed (curl ignores a proxy URL's path); a path, query or fragment is not.
  if (location.endsWith('/')) location = location.slice(0, -1);
  if (location === '') return { ok: false, why: 'nothing follows the user and password: the proxy host is missing' };
  if (/[/?#\\]/.test(location))
    return { ok: false, why: 'a path, query or fragment follows the proxy host (a proxy URL ends after its port)' };
  if (/\s/.test(location)) return { ok: false, why: 'the proxy host contains a space' };
  const portMatch = /^(.*?)(?::([^:\]]*))?$/.exec(location);
  const hostText = portMatch?.[1] ?? '';
  const portText = portMatch?.[2];
  if (hostText === '' || hostText === '[]') return { ok: false, why: 'the proxy host is missing' };
  if (!HOST_CHARACTERS.test(hostText))
    return {
      ok: false,
      why: 'the proxy host is not a host name or IP address (IPv6 goes in brackets: [fd00::1]:3128)',
    };
  let port: number | null = null;
  if (portText !== undefined && portText !== '') {
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
      return { ok: false, why: 'the port after the proxy host is not a number from 1 to 65535' };
    port = Number(portText);
  }
  let hostname: string;
  try {
    // Only the host goes to the URL parser: the user information is never part of what it sees.
    hostname = new URL(`http://${hostText}/`).hostname;
  } catch {
    return { ok: false, why: 'the proxy host is not a host name or IP address' };
  }
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (host === '') return { ok: false, why: 'the proxy host is missing' };
  return { ok: true, parts: { scheme, userinfo, host, port } };
}

/** Percent-decodes each valid `%XX` run (UTF-8); a `%` not followed by two hex digits stays as written. */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/** The user name and password of `userinfo` (split at its first `:`), percent-decoded. */
function credentials(userinfo: string): { readonly user: string; readonly password: string } {
  const colon = userinfo.indexOf(':');
  const [user, password] = colon < 0 ? [userinfo, ''] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
  return { user: percentDecode(user), password: percentDecode(password) };
}

function describeProxyUrl(parts: ProxyUrlParts, scheme: string | null): string {
  const port = parts.port === null ? '' : `:${parts.port}`;
  return `${scheme === null ? '' : `${scheme}://`}${parts.userinfo === null ? '' : `${REDACTED_USERINFO}@`}${bracketed(parts.host)}${port}`;
}

/**
 * A proxy setting as it may be shown: a URL with everything between `scheme://` (or the start)
 * and the last `@` replaced by `[redacted]`; a value that is not a URL is not shown at all
 * (`NOT_A_URL`), and an unknown scheme is not named (it may be a user name missing its scheme).
 */
export function redactProxyUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const split = splitProxyUrl(trimmed);
  if (!split.ok) return NOT_A_URL;
  const { scheme } = split.parts;
  if (scheme !== null && !KNOWN_SCHEMES.has(scheme)) return describeProxyUrl(split.parts, null);
  return describeProxyUrl(split.parts, scheme);
}

/**
 * Parses a proxy URL. An error never repeats the value when it is not a URL (it says why), and
 * shows a URL only with its user information replaced.
 */
export function parseProxyUrl(text: string, source: ProxySource, noProxy: readonly string[] = []): ParsedProxy {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: `the proxy URL is empty: ${EXAMPLE}` };
  const split = splitProxyUrl(trimmed);
  if (!split.ok) return { ok: false, error: `the proxy setting is not a URL: ${split.why}; ${EXAMPLE} ${UNSHOWN}` };
  const { parts } = split;
  if (parts.scheme !== null && parts.scheme !== 'http') {
    const named = KNOWN_SCHEMES.has(parts.scheme) ? `${parts.scheme}:// is not supported` : 'its scheme is not http://';
    return {
      ok: false,
      error: `\`${redactProxyUrl(trimmed)}\`: ${named}; only http:// proxies are supported (the agent sends CONNECT in plain HTTP; TLS stays end to end with the gateway)`,
    };
  }
  const port = parts.port ?? DEFAULT_PROXY_PORT;
  const { userinfo } = parts;
  const hasCredentials = userinfo !== null && userinfo !== '';
  let authorization: string | null = null;
  if (hasCredentials) {
    const { user, password } = credentials(userinfo);
    authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  }
  const display = `http://${hasCredentials ? `${REDACTED_USERINFO}@` : ''}${bracketed(parts.host)}:${port}`;
  return { ok: true, proxy: { host: parts.host, port, authorization, display, source, noProxy } };
}

/**
 * The user name and password a proxy setting holds, in every spelling an output could carry them
 * (as written, percent-decoded, `user:password`, and the Basic credentials), for outputs that
 * scrub known secrets (the support bundle). Empty when the value has no user information; for a
 * value that is not a URL, everything between `scheme://` (or the start) and the last `@`.
 */
export function proxyCredentialSpellings(text: string): string[] {
  const trimmed = text.trim();
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
  const rest = schemeMatch === null ? trimmed : trimmed.slice(schemeMatch[0].length);
  const at = rest.lastIndexOf('@');
  if (at <= 0) return [];
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon < 0 ? '' : userinfo.slice(colon + 1);
  const { user, password } = credentials(userinfo);
  return [
    ...new Set([
      userinfo,
      rawUser,
      rawPassword,
      user,
      password,
      `${user}:${password}`,
      Buffer.from(`${user}:${password}`, 'utf8').toString('base64'),
      encodeURIComponent(user),
      encodeURIComponent(password),
    ]),
  ].filter((spelling) => spelling !== '');
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

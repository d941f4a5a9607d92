/**
 * `Address` as text: the reference agent's Display form for logs and UIs (PROTOCOL.md §5.5:
 * `1.2.3.4:5`, `[::1]:5`, `name:port`), and the reverse for a user typing a target to test.
 */
import type { Address } from './address.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip-address.js';

export function formatAddress(address: Address): string {
  if (address.kind === 'name') return `${address.name}:${address.port}`;
  return address.family === 6 ? `[${address.ip}]:${address.port}` : `${address.ip}:${address.port}`;
}

export type AddressParseResult =
  { readonly ok: true; readonly address: Address } | { readonly ok: false; readonly error: string };

const PORT = /^\d{1,5}$/;
const NOT_IN_NAME = /[\s[\]/]/u;

/**
 * Reads `host:port`, `a.b.c.d:port` or `[ipv6]:port`. As in the reference agent
 * (`Address::read_owned`), a host that parses as an IP address becomes `Addr`, anything else a
 * `Name`; IP text is normalised to its canonical form.
 */
export function parseAddress(text: string): AddressParseResult {
  const input = text.trim();
  let host: string;
  let portText: string;
  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0) return fail(`"${input}": missing "]" after the IPv6 address`);
    host = input.slice(1, close);
    const rest = input.slice(close + 1);
    if (!rest.startsWith(':')) return fail(`"${input}": expected ":port" after "]"`);
    portText = rest.slice(1);
    const port = parsePort(portText);
    if (typeof port === 'string') return fail(`"${input}": ${port}`);
    const ip = parseIpv6(host);
    if (ip === null) return fail(`"${input}": "${host}" is not an IPv6 address`);
    return { ok: true, address: { kind: 'addr', family: 6, ip: formatIpv6(ip), port } };
  }
  const colon = input.lastIndexOf(':');
  if (colon < 0) return fail(`"${input}": expected host:port`);
  host = input.slice(0, colon);
  portText = input.slice(colon + 1);
  if (host.includes(':')) return fail(`"${input}": write an IPv6 address in brackets, e.g. [::1]:5432`);
  const port = parsePort(portText);
  if (typeof port === 'string') return fail(`"${input}": ${port}`);
  const ip = parseIpv4(host);
  if (ip !== null) return { ok: true, address: { kind: 'addr', family: 4, ip: formatIpv4(ip), port } };
  if (host === '') return fail(`"${input}": the host is empty`);
  if (NOT_IN_NAME.test(host)) return fail(`"${input}": "${host}" is neither an IP address nor a host name`);
  return { ok: true, address: { kind: 'name', name: host, port } };
}

/** The port, or a message saying why the text is not one. */
function parsePort(text: string): number | string {
  if (!PORT.test(text)) return `"${text}" is not a port number`;
  const port = Number(text);
  return port > 0xffff ? `port ${port} is above 65535` : port;
}

function fail(error: string): AddressParseResult {
  return { ok: false, error };
}

/** Syntax of a target address as the gateway sends it and a user types it: `host:port` or `[v6]:port`. */

export type TargetAddress =
  { readonly ok: true; readonly host: string; readonly port: number } | { readonly ok: false; readonly error: string };

const HOST_AND_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+)):([0-9]{1,5})$/;

export function parseTargetAddress(text: string): TargetAddress {
  const match = HOST_AND_PORT.exec(text.trim());
  if (match === null)
    return { ok: false, error: 'expected host:port, e.g. db.internal:5432, 10.0.0.5:5432 or [::1]:5432' };
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return { ok: false, error: `port ${port} is out of range: use 1 to 65535` };
  if (match[1] !== undefined && !match[1].includes(':'))
    return { ok: false, error: 'brackets are for IPv6 addresses only, e.g. [::1]:5432' };
  return { ok: true, host, port };
}

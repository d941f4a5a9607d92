/**
 * Loopback checks for the local-only listeners (dashboard, metrics, gateway admin API): they
 * bind to loopback addresses only and answer only requests whose Host header names one, so a
 * web page cannot reach them through DNS rebinding.
 */
import { isIP } from 'node:net';

/** True for `localhost`, 127.0.0.0/8 and ::1 (in either spelling). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && (host === '::1' || host === '0:0:0:0:0:0:0:1');
}

/** A Host header naming a loopback address or `localhost`, with or without a port. */
export function isLoopbackHostHeader(header: string): boolean {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(header);
  if (match === null) return false;
  return isLoopbackHost(match[1] ?? match[2] ?? '');
}

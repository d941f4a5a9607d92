/**
 * An HTTP CONNECT tunnel through a proxy (RFC 9110 §9.3.6) on an open TCP socket to the proxy:
 * one request, `CONNECT host:port HTTP/1.1` with `Host` and, when the proxy URL had credentials,
 * `Proxy-Authorization: Basic …`; then the response head is read (at most 16 KiB). A 2xx status
 * leaves the socket as a raw byte pipe to the gateway, ready for TLS; anything else is a
 * `ProxyError` carrying the status, and the socket is destroyed. Bytes right behind the head
 * cannot be the gateway's (a TLS server speaks only after the ClientHello), so they are refused
 * as a broken proxy rather than lost under the TLS layer. The credentials are never part of an
 * error message.
 */
import type net from 'node:net';
import { isIP } from 'node:net';

/** The largest response head accepted from a proxy. */
export const MAX_PROXY_RESPONSE_HEAD = 16 * 1024;

export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  /** The proxy's HTTP status, or null when it answered no valid HTTP (or hung up). */
  readonly status: number | null;

  constructor(message: string, status: number | null) {
    super(message);
    this.status = status;
  }
}

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
}

export interface HttpConnectOptions {
  /** `Basic …`, or null. */
  readonly authorization: string | null;
  readonly userAgent: string;
  readonly signal: AbortSignal;
}

function authority(target: ConnectTarget): string {
  return `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`;
}

/** The request bytes (exported for tests of the wire format). */
export function connectRequest(
  target: ConnectTarget,
  options: Pick<HttpConnectOptions, 'authorization' | 'userAgent'>,
): string {
  const lines = [
    `CONNECT ${authority(target)} HTTP/1.1`,
    `Host: ${authority(target)}`,
    `User-Agent: ${options.userAgent}`,
  ];
  if (options.authorization !== null) lines.push(`Proxy-Authorization: ${options.authorization}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const STATUS_LINE = /^HTTP\/1\.[01] ([0-9]{3})(?: ([^\r\n]*))?$/;

/** What a refusal means for the user. */
function refusal(status: number, reason: string): string {
  const said = `${status}${reason === '' ? '' : ` ${reason}`}`;
  // 407 is the standard answer; some proxies (tinyproxy) answer wrong credentials with 401.
  if (status === 407 || status === 401)
    return `proxy error: ${said}: the proxy requires authentication (put the user and password in the proxy URL: http://user:password@proxy:port)`;
  return `proxy error: ${said}: the proxy refused to open a tunnel`;
}

/** Opens the tunnel on `socket`; resolves once the proxy said 2xx. */
export function httpConnect(socket: net.Socket, target: ConnectTarget, options: HttpConnectOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let head = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      options.signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown): void => {
      cleanup();
      // A late error after destroy must not become an uncaught exception.
      socket.on('error', ignore);
      socket.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_PROXY_RESPONSE_HEAD)
          fail(new ProxyError('proxy error: the response head is larger than 16 KiB', null));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const match = STATUS_LINE.exec(statusLine);
      if (match === null) {
        fail(new ProxyError(`proxy error: not an HTTP proxy answer: ${JSON.stringify(statusLine.slice(0, 80))}`, null));
        return;
      }
      const status = Number(match[1]);
      if (status < 200 || status > 299) {
        fail(new ProxyError(refusal(status, (match[2] ?? '').trim()), status));
        return;
      }
      if (head.length > end + 4) {
        fail(
          new ProxyError(
            `proxy error: ${head.length - end - 4} bytes arrived behind the proxy's ${status} before the TLS handshake began`,
            null,
          ),
        );
        return;
      }
      cleanup();
      socket.pause();
      resolve();
    };
    const onError = (error: Error): void => {
      fail(new ProxyError(`proxy error: ${error.message}`, null));
    };
    const onClose = (): void => {
      fail(new ProxyError('proxy error: the proxy closed the connection without answering CONNECT', null));
    };
    const onAbort = (): void => {
      fail(options.signal.reason);
    };
    if (options.signal.aborted) {
      fail(options.signal.reason);
      return;
    }
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.write(connectRequest(target, options));
  });
}

function ignore(): void {
  // deliberately empty
}

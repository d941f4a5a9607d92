/**
 * The CONNECT handshake with proxies that misbehave in the ways real ones do, on real sockets:
 * the request's exact bytes, data right behind the 200 kept for TLS, and the failures (non-HTTP
 * answer, hang-up, an endless head, a refusal) as `ProxyError`s with the status.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRequest,
  httpConnect,
  MAX_PROXY_RESPONSE_HEAD,
  ProxyError,
} from '../../../src/tunnel/agent/http-connect.js';
import { listenLoopback } from '../../support/loopback.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A "proxy" that reads the request head, then does `answer` with the socket. */
async function fakeProxy(
  answer: (socket: net.Socket, request: string) => void,
): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const { server, port } = await listenLoopback((socket) => {
    let head = '';
    socket.setEncoding('latin1');
    const onData = (text: string): void => {
      head += text;
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      requests.push(head);
      answer(socket, head);
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
  });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { port, requests };
}

async function connectTo(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  cleanups.push(async () => {
    socket.destroy();
    await Promise.resolve();
  });
  return socket;
}

const OPTIONS = { authorization: 'Basic dTpw', userAgent: 'cluvio-agent/1.3.0', signal: new AbortController().signal };

describe('HTTP CONNECT', () => {
  it("sends CONNECT with Host and Proxy-Authorization; bytes right behind the 200 (never the gateway's) are refused", async () => {
    expect(connectRequest({ host: 'gw.example.com', port: 443 }, OPTIONS)).toBe(
      'CONNECT gw.example.com:443 HTTP/1.1\r\nHost: gw.example.com:443\r\nUser-Agent: cluvio-agent/1.3.0\r\nProxy-Authorization: Basic dTpw\r\n\r\n',
    );
    expect(connectRequest({ host: '::1', port: 8443 }, { authorization: null, userAgent: 'x' })).toBe(
      'CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nUser-Agent: x\r\n\r\n',
    );
    const proxy = await fakeProxy((socket) => socket.write('HTTP/1.1 200 Connection established\r\nX: y\r\n\r\n'));
    const socket = await connectTo(proxy.port);
    await httpConnect(socket, { host: 'gw.example.com', port: 443 }, OPTIONS);
    expect(proxy.requests[0]).toBe(connectRequest({ host: 'gw.example.com', port: 443 }, OPTIONS));
    expect(socket.destroyed).toBe(false);
    const chatty = await fakeProxy((s) => s.write('HTTP/1.1 200 OK\r\n\r\nearly bytes'));
    await expect(httpConnect(await connectTo(chatty.port), { host: 'gw', port: 443 }, OPTIONS)).rejects.toMatchObject({
      message: expect.stringContaining('11 bytes arrived behind') as unknown,
    });
  });

  it('a refusal is a ProxyError with its status; 407 says authentication is required', async () => {
    const proxy = await fakeProxy((socket) =>
      socket.end('HTTP/1.0 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n'),
    );
    const error = await httpConnect(await connectTo(proxy.port), { host: 'gw', port: 443 }, OPTIONS).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProxyError);
    expect(error).toMatchObject({
      status: 407,
      message: expect.stringContaining('the proxy requires authentication') as unknown,
    });
    expect((error as Error).message).not.toContain('dTpw');
  });

  it('a non-HTTP answer, a hang-up and an endless head all fail without a status', async () => {
    const notHttp = await fakeProxy((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    await expect(httpConnect(await connectTo(notHttp.port), { host: 'gw', port: 443 }, OPTIONS)).rejects.toMatchObject({
      status: null,
      message: expect.stringContaining('not an HTTP proxy answer') as unknown,
    });
    const hangUp = await fakeProxy((socket) => socket.end());
    await expect(httpConnect(await connectTo(hangUp.port), { host: 'gw', port: 443 }, OPTIONS)).rejects.toMatchObject({
      status: null,
      message: expect.stringContaining('closed the connection without answering') as unknown,
    });
    const endless = await fakeProxy((socket) =>
      socket.write(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_PROXY_RESPONSE_HEAD + 10)}`),
    );
    await expect(httpConnect(await connectTo(endless.port), { host: 'gw', port: 443 }, OPTIONS)).rejects.toMatchObject({
      message: expect.stringContaining('larger than 16 KiB') as unknown,
    });
  });

  it('an abort (the connect timeout) ends the wait and destroys the socket', async () => {
    const silent = await fakeProxy(() => undefined);
    const socket = await connectTo(silent.port);
    const controller = new AbortController();
    const pending = httpConnect(socket, { host: 'gw', port: 443 }, { ...OPTIONS, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('deadline'));
    await expect(pending).rejects.toThrow('deadline');
    expect(socket.destroyed).toBe(true);
  });
});

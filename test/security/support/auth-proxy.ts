/**
 * A real HTTP CONNECT proxy from npm (`proxy` 4.x on a node:http server, 127.0.0.1, a free port)
 * that wants Basic credentials: 407 unless `Proxy-Authorization` is exactly the expected value,
 * so a test sees whether the agent sent precisely the user and password of its proxy URL.
 */
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { createProxy } from 'proxy';

export interface AuthProxy {
  readonly port: number;
  /** Every `Proxy-Authorization` value received (absent: ''), in order. */
  authorizations(): readonly string[];
  /** How many CONNECT requests were let through. */
  tunnels(): number;
  close(): Promise<void>;
}

export async function startAuthProxy(expectedAuthorization: string): Promise<AuthProxy> {
  const server = createProxy(http.createServer());
  const seen: string[] = [];
  let tunnels = 0;
  server.authenticate = (req) => {
    const header = req.headers['proxy-authorization'] ?? '';
    seen.push(header);
    const ok = header === expectedAuthorization;
    if (ok && req.method === 'CONNECT') tunnels += 1;
    return ok;
  };
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  return {
    port: address.port,
    authorizations: () => [...seen],
    tunnels: () => tunnels,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

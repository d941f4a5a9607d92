/**
 * A real HTTP CONNECT proxy that `npm ci` installs: the `proxy` package (pinned in package.json)
 * on 127.0.0.1 and a free port, in this process. `basicAuth` makes it answer 407 without the
 * right `Proxy-Authorization: Basic` credentials (a wrong password too); `connectPorts` limits
 * the ports CONNECT may reach, anything else is answered 403 Forbidden as tinyproxy's ConnectPort
 * does (the package has no such rule: a CONNECT to another port is refused before it reaches the
 * package's handler). Every CONNECT is recorded, refused or not, like tinyproxy's log.
 */
import http from 'node:http';
import type net from 'node:net';
import { createProxy } from 'proxy';
import type { ProxyOptions, TestProxy } from './test-proxy.js';

type ConnectListener = (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => void;

/** Whether `header` is `Basic base64(user:password)` for exactly these credentials. */
function basicCredentialsMatch(header: string | undefined, user: string, password: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (match === null) return false;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && decoded.slice(0, colon) === user && decoded.slice(colon + 1) === password;
}

/** The port of a CONNECT target (`host:port`, `[v6]:port`); NaN if there is none. */
function targetPort(target: string): number {
  return Number(target.slice(target.lastIndexOf(':') + 1));
}

export async function startNpmProxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const server = createProxy(http.createServer());
  const { basicAuth, connectPorts } = options;
  if (basicAuth !== undefined)
    server.authenticate = (req) =>
      basicCredentialsMatch(req.headers['proxy-authorization'], basicAuth.user, basicAuth.password);

  const connects: string[] = [];
  const [relay] = server.listeners('connect') as ConnectListener[];
  if (relay === undefined) throw new Error('the proxy package registered no CONNECT handler');
  server.removeAllListeners('connect');
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    if (connectPorts !== undefined && !connectPorts.includes(targetPort(target))) {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    relay.call(server, req, socket, head);
  });

  // The tunnels are detached from the HTTP server, which would wait for them on close.
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connects: () => [...connects],
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

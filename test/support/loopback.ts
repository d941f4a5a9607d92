/** Loopback servers for tests: every test server listens on 127.0.0.1, port 0. */
import { once } from 'node:events';
import net from 'node:net';

/** A free port on 127.0.0.1 where nothing listens (bound, then released): connecting is refused. */
export async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a TCP server on 127.0.0.1 (any free port) and resolves with it and its port. */
export async function listenLoopback(
  onConnection: (socket: net.Socket) => void,
  options: { readonly allowHalfOpen?: boolean } = {},
): Promise<{ readonly server: net.Server; readonly port: number }> {
  const server = net.createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, onConnection);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as net.AddressInfo).port };
}

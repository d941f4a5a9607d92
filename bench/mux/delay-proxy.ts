/**
 * A TCP proxy that delays every chunk by `oneWayMs` in each direction: a long round trip on
 * loopback, to see what receive-window auto-tuning buys. It reads as fast as data comes, so it
 * limits no bandwidth and absorbs TCP's own flow control: only end-to-end windows (yamux's)
 * still bound the throughput.
 */
import net from 'node:net';

export interface DelayProxy {
  readonly port: number;
  close(): void;
}

function forward(from: net.Socket, to: net.Socket, oneWayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => { if (!to.destroyed) to.write(chunk); }, oneWayMs);
  });
  from.on('end', () => {
    setTimeout(() => { if (!to.destroyed) to.end(); }, oneWayMs);
  });
  from.on('error', () => {
    setTimeout(() => to.destroy(), oneWayMs);
  });
}

export async function startDelayProxy(targetPort: number, oneWayMs: number): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    forward(client, upstream, oneWayMs);
    forward(upstream, client, oneWayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

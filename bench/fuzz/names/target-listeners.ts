/**
 * TCP listeners on one port of several loopback addresses, counting who reached which: the
 * observable end of "the agent connected there". The probes' allowlists exclude 127.0.0.1,
 * 127.0.0.2 and ::1 and allow 127.0.0.3 (an IP network), so a connection counted on an excluded
 * address is a target that got past the allowlist.
 */
import { once } from 'node:events';
import net from 'node:net';

export const EXCLUDED_ADDRESSES: readonly string[] = ['127.0.0.1', '127.0.0.2', '::1'];
export const ALLOWED_ADDRESS = '127.0.0.3';

export interface TargetListeners {
  readonly port: number;
  /** Connections accepted so far, per listening address. */
  hits(): ReadonlyMap<string, number>;
  /** Connections on excluded addresses so far. */
  excludedHits(): number;
  close(): Promise<void>;
}

export async function startTargetListeners(): Promise<TargetListeners> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const started = await tryListen();
    if (started !== null) return started;
  }
  throw new Error('no port free on 127.0.0.1, 127.0.0.2, 127.0.0.3 and ::1 at once');
}

async function tryListen(): Promise<TargetListeners | null> {
  const hits = new Map<string, number>();
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  let port = 0;
  const closeAll = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  };
  for (const address of [...EXCLUDED_ADDRESSES, ALLOWED_ADDRESS]) {
    hits.set(address, 0);
    const server = net.createServer((socket) => {
      hits.set(address, (hits.get(address) ?? 0) + 1);
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => sockets.delete(socket));
      socket.destroy();
    });
    servers.push(server);
    try {
      server.listen(port, address);
      await Promise.race([
        once(server, 'listening'),
        once(server, 'error').then(([error]) => {
          throw error;
        }),
      ]);
    } catch {
      await closeAll();
      return null;
    }
    port = (server.address() as net.AddressInfo).port;
  }
  return {
    port,
    hits: () => hits,
    excludedHits: () => EXCLUDED_ADDRESSES.reduce((sum, address) => sum + (hits.get(address) ?? 0), 0),
    close: closeAll,
  };
}

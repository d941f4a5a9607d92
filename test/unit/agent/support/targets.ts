/** Target servers ("databases") on 127.0.0.1 for the data-stream and engine tests. */
import { once } from 'node:events';
import net from 'node:net';
export { closedLoopbackPort as closedPort } from '../../../support/loopback.js';

export interface TargetServer {
  readonly port: number;
  /** Every connection accepted so far. */
  readonly connections: net.Socket[];
  /** Resolves with the next connection not yet handed out. */
  nextConnection(): Promise<net.Socket>;
  close(): Promise<void>;
}

/** A server that hands connections to `onConnection` (half-open allowed, so half-close is visible). */
export async function startTarget(onConnection: (socket: net.Socket) => void = () => undefined): Promise<TargetServer> {
  const connections: net.Socket[] = [];
  const waiting: ((socket: net.Socket) => void)[] = [];
  let handedOut = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    connections.push(socket);
    onConnection(socket);
    const waiter = waiting.shift();
    if (waiter !== undefined) {
      handedOut += 1;
      waiter(socket);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections,
    nextConnection() {
      const ready = connections[handedOut];
      if (ready !== undefined) {
        handedOut += 1;
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Echoes every byte and ends its side when the client ends. */
export function echoTarget(): Promise<TargetServer> {
  return startTarget((socket) => {
    socket.pipe(socket);
  });
}

/** Reads a socket or stream until its end. */
export function readToEnd(readable: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    readable.on('data', (chunk: Buffer) => chunks.push(chunk));
    readable.once('end', () => {
      resolve(Buffer.concat(chunks));
    });
    readable.once('error', reject);
    readable.resume();
  });
}

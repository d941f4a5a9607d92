/**
 * The soak's traffic: one target server speaking a tiny line protocol, and the workers that
 * drive streams through the gateway and the agent to it, checking every byte.
 *
 *   ECHO\n           then everything is echoed until the client ends
 *   GET <n> <s>\n    the server sends n bytes of pattern s, then ends
 *   PUT <n> <s>\n    then n bytes of pattern s from the client; the server answers OK n / BAD, ends
 *
 * A pattern is a fixed random block read from offset s (mod its length), so both ends can make
 * and check any amount of data without storing it.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';

const BLOCK = randomBytes(1024 * 1024 + 7);

/** `length` bytes of pattern `seed` starting at `offset`. */
export function pattern(seed: number, offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let filled = 0;
  let at = (seed + offset) % BLOCK.length;
  while (filled < length) {
    const take = Math.min(length - filled, BLOCK.length - at);
    BLOCK.copy(out, filled, at, at + take);
    filled += take;
    at = 0;
  }
  return out;
}

/** Checks a stream of bytes against a pattern as it arrives. */
export class PatternCheck {
  received = 0;
  corrupt = false;

  constructor(private readonly seed: number) {}

  add(chunk: Buffer): void {
    if (!this.corrupt && !pattern(this.seed, this.received, chunk.length).equals(chunk)) this.corrupt = true;
    this.received += chunk.length;
  }
}

/** Resolves on 'drain', rejects on 'close'; leaves no listener behind either way. */
function drained(stream: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      stream.off('drain', onDrain);
      reject(new Error('the stream closed while writing'));
    };
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}

/** Writes `length` bytes of `seed` respecting backpressure. */
export async function writePattern(stream: Duplex, seed: number, length: number, chunkSize = 64 * 1024): Promise<void> {
  for (let sent = 0; sent < length; sent += chunkSize) {
    if (stream.destroyed) throw new Error('the stream was destroyed while writing');
    if (!stream.write(pattern(seed, sent, Math.min(chunkSize, length - sent)))) await drained(stream);
  }
}

export interface TargetServer {
  readonly port: number;
  /** Connections currently open at the target. */
  readonly open: () => number;
  close(): Promise<void>;
}

export async function startTargetServer(): Promise<TargetServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const newline = head.indexOf(0x0a);
      if (newline < 0) return;
      socket.off('data', onHead);
      const [command = '', n = '0', s = '0'] = head.subarray(0, newline).toString('latin1').split(' ');
      const rest = head.subarray(newline + 1);
      const length = Number(n);
      const seed = Number(s);
      if (command === 'ECHO') {
        if (rest.length > 0) socket.write(rest);
        socket.pipe(socket);
      } else if (command === 'GET') {
        void writePattern(socket, seed, length).then(
          () => socket.end(),
          () => socket.destroy(),
        );
      } else if (command === 'PUT') {
        const check = new PatternCheck(seed);
        if (rest.length > 0) check.add(rest);
        socket.on('data', (data: Buffer) => {
          check.add(data);
        });
        socket.on('end', () => {
          socket.end(check.corrupt || check.received !== length ? 'BAD\n' : `OK ${check.received}\n`);
        });
      } else {
        socket.destroy();
      }
    };
    socket.on('data', onHead);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Reads a stream to its end. */
export async function readToEnd(stream: Duplex, onChunk: (chunk: Buffer) => void = () => undefined): Promise<number> {
  let total = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    onChunk(buffer);
  }
  return total;
}

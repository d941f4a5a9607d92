/**
 * What the load generator measures on one path (a host port that ends at the target server):
 * bulk transfers, concurrent streams, echo round trips, stream setups and idle streams. Runs in
 * the load worker (load-worker.ts), a thread of its own beside the processes being measured.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { percentile } from './stats.js';
import { ANSWER_BYTE, TargetMode, encodeCommand } from './target-protocol.js';

const MIB = 1024 * 1024;
const SOURCE = randomBytes(256 * 1024);

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves when `socket` has received `bytes` bytes (counting from now); rejects if it ends first. */
function receive(socket: net.Socket, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = bytes;
    const onData = (chunk: Buffer): void => {
      left -= chunk.length;
      if (left <= 0) done(resolve);
    };
    const onEnd = (): void => {
      done(() => {
        reject(new Error(`the connection ended ${left} bytes short`));
      });
    };
    const onError = (error: Error): void => {
      done(() => {
        reject(error);
      });
    };
    const done = (then: () => void): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      then();
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
  });
}

async function send(socket: net.Socket, bytes: number): Promise<void> {
  for (let left = bytes; left > 0;) {
    const n = Math.min(left, SOURCE.length);
    left -= n;
    if (!socket.write(n === SOURCE.length ? SOURCE : SOURCE.subarray(0, n))) await once(socket, 'drain');
  }
}

export interface Transfer {
  /** MiB/s over the whole transfer (connection setup included). */
  readonly mibPerSecond: number;
  readonly ms: number;
}

function rate(bytes: number, ms: number): number {
  return bytes / MIB / (ms / 1000);
}

/** Client → target: `bytes`, until the target says it has them all. */
export async function bulkUp(port: number, bytes: number): Promise<Transfer> {
  const start = performance.now();
  const socket = await connect(port);
  const answered = receive(socket, 1);
  socket.write(encodeCommand(TargetMode.Upload, bytes));
  await send(socket, bytes);
  await answered;
  const ms = performance.now() - start;
  socket.destroy();
  return { mibPerSecond: rate(bytes, ms), ms };
}

/** Target → client: `bytes`, until all have arrived. */
export async function bulkDown(port: number, bytes: number): Promise<Transfer> {
  const start = performance.now();
  const socket = await connect(port);
  const received = receive(socket, bytes);
  socket.write(encodeCommand(TargetMode.Download, bytes));
  await received;
  const ms = performance.now() - start;
  socket.destroy();
  return { mibPerSecond: rate(bytes, ms), ms };
}

export interface Concurrent {
  /** All bytes over the time until the last stream finished. */
  readonly mibPerSecond: number;
  /** Slowest stream's rate over the mean of all streams' rates (1 = perfectly fair). */
  readonly fairness: number;
}

/** `streams` downloads of `totalBytes / streams` each, started together. */
export async function concurrentDown(port: number, streams: number, totalBytes: number): Promise<Concurrent> {
  const each = Math.floor(totalBytes / streams);
  const start = performance.now();
  const times = await Promise.all(
    Array.from({ length: streams }, async () => {
      const socket = await connect(port);
      const received = receive(socket, each);
      socket.write(encodeCommand(TargetMode.Download, each));
      await received;
      socket.destroy();
      return performance.now() - start;
    }),
  );
  const rates = times.map((ms) => rate(each, ms));
  const meanRate = rates.reduce((a, b) => a + b, 0) / rates.length;
  return { mibPerSecond: rate(each * streams, Math.max(...times)), fairness: Math.min(...rates) / meanRate };
}

export interface Latency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly roundTrips: number;
}

/** One-byte echo round trips, one at a time, on one connection: `count` of them or until `maxMs` has passed. */
export async function echo(port: number, count: number, maxMs: number): Promise<Latency> {
  const socket = await connect(port);
  socket.write(encodeCommand(TargetMode.Echo));
  const byte = Buffer.from([ANSWER_BYTE]);
  const times: number[] = [];
  let answer: () => void = () => undefined;
  socket.on('data', () => {
    answer();
  });
  const deadline = performance.now() + maxMs;
  for (let i = 0; i < count && performance.now() < deadline; i += 1) {
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const start = performance.now();
    socket.write(byte);
    await answered;
    times.push(performance.now() - start);
  }
  socket.destroy();
  return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), roundTrips: times.length };
}

export interface SetupRate {
  readonly perSecond: number;
  readonly setups: number;
  readonly p50Ms: number;
}

/** Open a connection, one echo round trip, close (until the far side has closed too); repeated for `durationMs`. */
export async function setupRate(port: number, durationMs: number): Promise<SetupRate> {
  const message = Buffer.concat([encodeCommand(TargetMode.Echo), Buffer.from([ANSWER_BYTE])]);
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    const t0 = performance.now();
    const socket = await connect(port);
    const answered = receive(socket, 1);
    socket.write(message);
    await answered;
    const closed = once(socket, 'close');
    socket.end();
    await closed;
    times.push(performance.now() - t0);
  }
  const elapsed = performance.now() - start;
  return { perSecond: times.length / (elapsed / 1000), setups: times.length, p50Ms: percentile(times, 50) };
}

/** Connections held open by `openIdle`, until `closeIdle`. */
const idle: net.Socket[] = [];

/** Opens `count` more idle connections, `parallel` at a time, each confirmed open end to end. */
export async function openIdle(port: number, count: number, parallel = 200): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const socket = await connect(port);
      socket.on('error', () => undefined);
      const open = receive(socket, 1);
      socket.write(encodeCommand(TargetMode.Idle));
      await open;
      idle.push(socket);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return idle.length;
}

/** Closes every idle connection and waits until they are closed. */
export async function closeIdle(): Promise<void> {
  const all = idle.splice(0);
  await Promise.all(
    all.map(async (socket) => {
      if (socket.destroyed) return;
      const closed = once(socket, 'close');
      socket.destroy();
      await closed;
    }),
  );
}

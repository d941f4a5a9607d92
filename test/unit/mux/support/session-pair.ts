/** Helpers shared by the mux tests: a client/server session pair and small stream utilities. */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { Session, type SessionOptions } from '../../../../src/tunnel/mux/session.js';
import type { MuxStream } from '../../../../src/tunnel/mux/stream.js';
import { memoryPipe, type MemorySocket, type PipeEndOptions } from './memory-pipe.js';

export interface SessionPair {
  readonly client: Session;
  readonly server: Session;
  readonly clientSocket: MemorySocket;
  readonly serverSocket: MemorySocket;
}

export function sessionPair(
  options: {
    client?: Partial<SessionOptions>;
    server?: Partial<SessionOptions>;
    clientPipe?: PipeEndOptions;
    serverPipe?: PipeEndOptions;
  } = {},
): SessionPair {
  const [clientSocket, serverSocket] = memoryPipe(options.clientPipe, options.serverPipe);
  const client = new Session(clientSocket, { ...options.client, mode: 'client' });
  const server = new Session(serverSocket, { ...options.server, mode: 'server' });
  return { client, server, clientSocket, serverSocket };
}

const streamErrors = new WeakMap<Duplex, Error>();

/** Records the stream's error (so that it is not unhandled) for `closedWith`; returns the stream. */
export function track<T extends Duplex>(stream: T): T {
  stream.on('error', (error: Error) => {
    streamErrors.set(stream, error);
  });
  return stream;
}

/** Opens a tracked stream. */
export function openStream(session: Session): MuxStream {
  return track(session.open());
}

/** The next inbound stream of `session`, tracked. */
export async function nextStream(session: Session): Promise<MuxStream> {
  return new Promise((resolve) => {
    session.once('stream', (stream) => {
      resolve(track(stream));
    });
  });
}

/** Reads `stream` to its end (without destroying it, unlike async iteration). */
export async function readAll(stream: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.once('error', reject);
    stream.resume(); // a 'data' listener alone does not restart an explicitly paused stream
  });
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function randomData(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** Writes `data` in chunks of `chunkBytes`, honouring backpressure, then ends the stream. */
export async function writeAll(stream: Duplex, data: Buffer, chunkBytes = 64 * 1024): Promise<void> {
  for (let offset = 0; offset < data.length; offset += chunkBytes) {
    if (!stream.write(data.subarray(offset, offset + chunkBytes))) await once(stream, 'drain');
  }
  stream.end();
  if (!stream.writableFinished) await once(stream, 'finish');
}

/** Resolves on 'close' with the error the stream ended with, if any (the stream must be tracked). */
export async function closedWith(stream: Duplex): Promise<Error | undefined> {
  // Not events.once: it would reject on 'error', and the error is what we want to return.
  // `closed` turns true inside destroy(), before 'error' and 'close' are emitted on the next tick.
  if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
  else await new Promise((resolve) => setImmediate(resolve));
  return streamErrors.get(stream);
}

/** Waits until `predicate` holds, checking on each turn of the event loop (no wall-clock assertion). */
export async function until(predicate: () => boolean, what: string, maxTurns = 100_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for: ${what}`);
}

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
  options: { client?: Partial<SessionOptions>; server?: Partial<SessionOptions>; clientPipe?: PipeEndOptions; serverPipe?: PipeEndOptions } = {},
): SessionPair {
  const [clientSocket, serverSocket] = memoryPipe(options.clientPipe, options.serverPipe);
  const client = new Session(clientSocket, { ...options.client, mode: 'client' });
  const server = new Session(serverSocket, { ...options.server, mode: 'server' });
  return { client, server, clientSocket, serverSocket };
}

/** The next inbound stream of `session`. */
export async function nextStream(session: Session): Promise<MuxStream> {
  const [stream] = (await once(session, 'stream')) as [MuxStream];
  return stream;
}

/** Reads `stream` to its end; resolves with everything read. */
export async function readAll(stream: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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

/** Resolves on 'close' with the error the stream ended with, if any. */
export async function closedWith(emitter: Duplex): Promise<Error | undefined> {
  let error: Error | undefined;
  emitter.on('error', (e: Error) => { error = e; });
  if (!emitter.closed) await once(emitter, 'close');
  return error;
}

/** Waits until `predicate` holds, checking on each turn of the event loop (no wall-clock assertion). */
export async function until(predicate: () => boolean, what: string, maxTurns = 100_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for: ${what}`);
}

/**
 * The far end of the mux benchmark, run in a worker thread so that each end of the connection
 * has a core, as the agent and the gateway have in production.
 *
 * It listens for TLS 1.3 on 127.0.0.1 and serves every connection in one of two ways:
 * - `bare`: the TLS socket itself is the channel;
 * - `mux`: a server-mode `Session` runs on it and every inbound stream is a channel.
 * A channel either sinks (counts bytes until EOF, then answers one byte and ends: the sender
 * measures until that byte arrives) or answers requests: once a whole request of
 * `REQUEST_BYTES` has arrived it sends a response of the same size, in one write or, with
 * `splitWrites`, as a 12-byte header and the rest in two writes (what yamux 0.10 does per frame).
 */
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { parentPort, workerData } from 'node:worker_threads';
import { Session } from '../../src/tunnel/mux/session.js';
import { REQUEST_BYTES, writeMessage, type ReceiverOptions, type ReceiverReady } from './channel.js';

function serve(channel: Duplex, options: ReceiverOptions): void {
  channel.on('error', () => undefined);
  if (options.behaviour === 'sink') {
    channel.on('data', () => undefined);
    channel.on('end', () => channel.end(Buffer.from('k')));
    return;
  }
  const response = Buffer.alloc(REQUEST_BYTES, 0x72);
  let pending = 0;
  channel.on('data', (chunk: Buffer) => {
    pending += chunk.length;
    while (pending >= REQUEST_BYTES) {
      pending -= REQUEST_BYTES;
      writeMessage(channel, response, options.splitWrites === true);
    }
  });
}

const options = workerData as ReceiverOptions;
const server = tls.createServer({ cert: options.certPem, key: options.keyPem, minVersion: 'TLSv1.3' }, (socket) => {
  socket.on('error', () => undefined);
  if (options.transport === 'bare') {
    socket.setNoDelay(options.nagle !== true);
    serve(socket, options);
    return;
  }
  const session = new Session(socket, { ...options.mux, mode: 'server' });
  session.on('stream', (stream) => {
    serve(stream, options);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  parentPort?.postMessage({ port } satisfies ReceiverReady);
});
parentPort?.on('message', () => {
  server.close();
  parentPort?.close();
  process.exit(0);
});

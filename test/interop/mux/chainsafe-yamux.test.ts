/**
 * Interop with an independent yamux implementation, @chainsafe/libp2p-yamux, over real TCP
 * sockets on 127.0.0.1, with our session in each role. Their side pings at once (keepalive on),
 * grows its receive windows with its own auto-tuning, half-closes and resets with WindowUpdate
 * frames, where 0.10 uses Data frames: all of it has to work.
 */
import './support/promise-with-resolvers.js';
import { once } from 'node:events';
import net from 'node:net';
import { yamux } from '@chainsafe/libp2p-yamux';
import { afterEach, describe, expect, it } from 'vitest';
import { MuxStreamResetError } from '../../../src/tunnel/mux/errors.js';
import { Session, type SessionMode } from '../../../src/tunnel/mux/session.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import {
  closedWith,
  nextStream,
  openStream,
  randomData,
  readAll,
  sha256,
  track,
  writeAll,
} from '../../unit/mux/support/session-pair.js';
import { SocketMessageStream } from './support/socket-message-stream.js';

/** Their muxer and stream types (the package exports the factory, not the classes). */
type YamuxMuxer = ReturnType<ReturnType<ReturnType<typeof yamux>>['createStreamMuxer']>;
type TheirStream = Awaited<ReturnType<YamuxMuxer['createStream']>>;

const MIB = 1024 * 1024;

interface Connection {
  readonly ours: Session;
  readonly theirs: YamuxMuxer;
  readonly sockets: net.Socket[];
}

const open: Connection[] = [];
afterEach(() => {
  for (const c of open.splice(0)) {
    c.ours.destroy();
    for (const s of c.sockets) s.destroy();
  }
});

/** A TCP connection on 127.0.0.1; our session takes `oursMode`, theirs the other role. */
async function connect(oursMode: SessionMode): Promise<Connection> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const dialed = net.connect(port, '127.0.0.1');
  await once(dialed, 'connect');
  const [acceptedSocket] = await accepted;
  server.close();
  const [oursSocket, theirSocket] = oursMode === 'client' ? [dialed, acceptedSocket] : [acceptedSocket, dialed];
  const ours = new Session(oursSocket, { mode: oursMode });
  const theirs = yamux()().createStreamMuxer(
    new SocketMessageStream(theirSocket, oursMode === 'client' ? 'inbound' : 'outbound'),
  );
  const connection = { ours, theirs, sockets: [dialed, acceptedSocket] };
  open.push(connection);
  return connection;
}

/**
 * Their next inbound stream, already being read: a libp2p stream must be iterated from the start,
 * an iterator attached after the peer's FIN never ends.
 */
function nextTheirStream(theirs: YamuxMuxer): Promise<{ stream: TheirStream; received: Promise<Buffer> }> {
  return new Promise((resolve) => {
    theirs.addEventListener(
      'stream',
      (event) => {
        const received = theirReadAll(event.detail);
        received.catch(() => undefined); // a test that expects a rejection awaits it itself
        resolve({ stream: event.detail, received });
      },
      { once: true },
    );
  });
}

async function theirReadAll(stream: TheirStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk.subarray()));
  return Buffer.concat(chunks);
}

async function theirWriteAll(stream: TheirStream, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; offset += 64 * 1024) {
    if (!stream.send(data.subarray(offset, offset + 64 * 1024))) await stream.onDrain();
  }
  await stream.close();
}

describe.each(['client', 'server'] as const)('interop with @chainsafe/libp2p-yamux, ours as %s', (mode) => {
  it('100 concurrent streams, opened by both sides, each carry 1 MiB of random data both ways intact', async () => {
    const { ours, theirs } = await connect(mode);
    const oursSent = new Map<number, string>();
    const oursReceived = new Map<number, string>();
    const theirsSent = new Map<number, string>();
    const theirsReceived = new Map<number, string>();
    const oursExchange = async (stream: MuxStream): Promise<void> => {
      const data = randomData(MIB);
      oursSent.set(stream.id, sha256(data));
      const [, received] = await Promise.all([writeAll(stream, data), readAll(stream)]);
      oursReceived.set(stream.id, sha256(received));
    };
    const theirExchange = async (stream: TheirStream): Promise<void> => {
      const data = randomData(MIB);
      theirsSent.set(stream.streamId, sha256(data));
      const [, received] = await Promise.all([theirWriteAll(stream, data), theirReadAll(stream)]);
      theirsReceived.set(stream.streamId, sha256(received));
    };
    const exchanges: Promise<void>[] = [];
    ours.on('stream', (s) => exchanges.push(oursExchange(track(s))));
    theirs.addEventListener('stream', (event) => exchanges.push(theirExchange(event.detail)));
    for (let i = 0; i < 50; i += 1) {
      exchanges.push(oursExchange(openStream(ours)));
      exchanges.push(theirExchange(await theirs.createStream()));
    }
    while (exchanges.length < 200) await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(exchanges);
    expect(oursSent.size).toBe(100);
    for (const [id, digest] of oursSent) expect(theirsReceived.get(id)).toBe(digest);
    for (const [id, digest] of theirsSent) expect(oursReceived.get(id)).toBe(digest);
    expect(ours.stats().dataBytesIn).toBe(100 * MIB);
    expect(ours.stats().dataBytesOut).toBe(100 * MIB);
  });

  it('half-close by us: they read EOF and can still answer', async () => {
    const { ours, theirs } = await connect(mode);
    const accepted = nextTheirStream(theirs);
    const stream = openStream(ours);
    stream.end('request');
    const { stream: theirStream, received } = await accepted;
    expect((await received).toString()).toBe('request');
    await theirWriteAll(theirStream, Buffer.from('response after EOF'));
    expect((await readAll(stream)).toString()).toBe('response after EOF');
    expect(await closedWith(stream)).toBeUndefined();
  });

  it('half-close by them: we read EOF and can still answer', async () => {
    const { ours, theirs } = await connect(mode);
    const accepted = nextStream(ours);
    const theirStream = await theirs.createStream();
    const answer = theirReadAll(theirStream);
    await theirWriteAll(theirStream, Buffer.from('request'));
    const stream = await accepted;
    expect((await readAll(stream)).toString()).toBe('request');
    stream.end('response after EOF');
    expect((await answer).toString()).toBe('response after EOF');
    expect(await closedWith(stream)).toBeUndefined();
  });

  it('reset by us reaches them as a stream reset', async () => {
    const { ours, theirs } = await connect(mode);
    const accepted = nextTheirStream(theirs);
    const stream = openStream(ours);
    stream.write('x');
    const { stream: theirStream, received } = await accepted;
    stream.reset();
    await expect(received).rejects.toThrow(/reset/i);
    expect(theirStream.status).toBe('reset');
  });

  it('reset by them errors our stream with MuxStreamResetError', async () => {
    const { ours, theirs } = await connect(mode);
    const accepted = nextStream(ours);
    const theirStream = await theirs.createStream();
    theirStream.send(Buffer.from('x'));
    const stream = await accepted;
    stream.resume();
    theirStream.abort(new Error('they gave up'));
    expect(await closedWith(stream)).toBeInstanceOf(MuxStreamResetError);
  });

  it('pings go both ways, and our graceful close ends their muxer', async () => {
    const { ours, theirs } = await connect(mode);
    expect(await ours.ping()).toBeGreaterThanOrEqual(0);
    expect(await theirs.ping()).toBeGreaterThanOrEqual(0);
    await ours.close();
    expect(theirs.status).toBe('closed');
  });

  it('their graceful close ends our session cleanly', async () => {
    const { ours, theirs } = await connect(mode);
    const closed = once(ours, 'close') as Promise<[Error | undefined]>;
    await theirs.close();
    const [error] = await closed;
    expect(error).toBeUndefined();
  });
});

/**
 * Fault injection in the manner of hashicorp/yamux's session tests: frames cut at every byte
 * boundary, a peer that overruns its window, a peer that never reads, a connection cut in the
 * middle of transfers, and many streams opened and closed without leaking anything.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MuxConnectionLostError, MuxProtocolError } from '../../../src/tunnel/mux/errors.js';
import { FrameDecoder, type FrameSink } from '../../../src/tunnel/mux/frame-decoder.js';
import { Flag, FrameType, GoAwayCode } from '../../../src/tunnel/mux/frame-header.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import { RawPeer, frame } from './support/raw-peer.js';
import {
  closedWith,
  nextStream,
  openStream,
  randomData,
  readAll,
  sessionPair,
  sha256,
  track,
  until,
  writeAll,
} from './support/session-pair.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** Records decoder events as text so that two decodings can be compared. */
function recordingSink(events: string[]): FrameSink {
  let body: Buffer[] = [];
  return {
    onFrame: (h) => {
      events.push(`frame ${h.type} ${h.flags} ${h.streamId} ${h.length}`);
      body = [];
    },
    onDataPiece: (piece) => {
      body.push(Buffer.from(piece));
    },
    onDataEnd: () => {
      events.push(`body ${Buffer.concat(body).toString('hex')}`);
    },
    readMore: () => true,
  };
}

const sample = Buffer.concat([
  frame(FrameType.Data, Flag.SYN, 1, Buffer.from('hello')),
  frame(FrameType.WindowUpdate, 0, 1, 4096),
  frame(FrameType.Ping, Flag.SYN, 0, 0xdeadbeef),
  frame(FrameType.Data, 0, 1, Buffer.alloc(0)),
  frame(FrameType.Data, Flag.FIN, 3, randomData(40)),
  frame(FrameType.GoAway, 0, 0, 2),
]);

describe('frames split at every byte boundary', () => {
  it('the decoder yields the same frames for every split point and for one byte at a time', () => {
    const reference: string[] = [];
    new FrameDecoder(recordingSink(reference), MIB).push(sample);
    expect(reference.filter((e) => e.startsWith('frame'))).toHaveLength(6);
    for (let cut = 0; cut <= sample.length; cut += 1) {
      const events: string[] = [];
      const decoder = new FrameDecoder(recordingSink(events), MIB);
      decoder.push(sample.subarray(0, cut));
      decoder.push(sample.subarray(cut));
      expect(events).toEqual(reference);
    }
    const events: string[] = [];
    const decoder = new FrameDecoder(recordingSink(events), MIB);
    for (let i = 0; i < sample.length; i += 1) decoder.push(sample.subarray(i, i + 1));
    expect(events).toEqual(reference);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('sessions work when every byte arrives on its own, in both directions', async () => {
    const { client, server } = sessionPair({ clientPipe: { pieceBytes: 1 }, serverPipe: { pieceBytes: 1 } });
    server.on('stream', (s) => {
      track(s).pipe(s);
    });
    const results = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const stream = openStream(client);
        const data = randomData(20_000);
        const [, echoed] = await Promise.all([writeAll(stream, data, 3_000), readAll(stream)]);
        return sha256(echoed) === sha256(data);
      }),
    );
    expect(results).toEqual([true, true, true, true]);
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
    await client.close();
  });
});

describe('a peer that overruns its window', () => {
  it('gets GoAway(1); the session closes with MuxProtocolError and the stream errors', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const accepted = nextStream(peer.session);
    peer.send(frame(FrameType.Data, Flag.SYN, 2, Buffer.alloc(200 * KIB)));
    const stream = await accepted; // never read: no credit comes back
    peer.send(frame(FrameType.Data, 0, 2, Buffer.alloc(56 * KIB))); // exactly the window: fine
    await peer.settle();
    expect(peer.session.closed).toBe(false);
    expect(stream.bufferedInbound).toBe(256 * KIB);
    const closed = once(peer.session, 'close') as Promise<[Error | undefined]>;
    peer.send(frame(FrameType.Data, 0, 2, Buffer.alloc(1))); // one byte too many
    const [error] = await closed;
    expect(error).toBeInstanceOf(MuxProtocolError);
    expect(error?.message).toMatch(/exceeds the peer's remaining credit/);
    expect(peer.frames().find((f) => f.type === FrameType.GoAway)?.length).toBe(GoAwayCode.ProtocolError);
    expect(await closedWith(stream)).toBe(error);
  });
});

describe('a peer that never reads', () => {
  it('stream level: the reader buffers one window at most and the writer is held back, then everything arrives', async () => {
    const { client, server } = sessionPair({ client: { streamWriteBufferBytes: 64 * KIB } });
    const accepted = nextStream(server);
    const stream = openStream(client);
    const data = randomData(8 * MIB);
    // A well-behaved producer (as pipe/pipeline): writes until told to wait, resumes on 'drain'.
    const writing = writeAll(stream, data, 16 * KIB);
    const inbound = await accepted;
    inbound.pause();
    await until(
      () => stream.sendWindow === 0 && inbound.bufferedInbound === 256 * KIB,
      'the sender to use up its credit',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stream.bytesWritten).toBe(256 * KIB);
    expect(inbound.bufferedInbound).toBe(256 * KIB);
    expect(stream.bufferedOutbound).toBeLessThanOrEqual(64 * KIB + 16 * KIB);
    expect(stream.writableNeedDrain).toBe(true);
    expect(client.stats().queuedBytesOut).toBe(0);
    // The reader wakes up: the rest flows.
    const [all] = await Promise.all([readAll(inbound), writing]);
    expect(sha256(all)).toBe(sha256(data));
  });

  it('socket level: a peer whose socket is never read holds back every stream; memory stays bounded', async () => {
    const peer = new RawPeer(
      { mode: 'client', writeBatchBytes: 16 * KIB, streamWriteBufferBytes: 32 * KIB },
      { peer: { highWaterMark: 16 * KIB } },
    );
    peer.socket.pause();
    peer.socket.removeAllListeners('data');
    const streams = Array.from({ length: 10 }, () => openStream(peer.session));
    const refused: boolean[] = [];
    for (const s of streams) {
      let ok = true;
      for (let i = 0; i < 16 && ok; i += 1) ok = s.write(Buffer.alloc(16 * KIB));
      refused.push(!ok);
    }
    await peer.settle(200);
    expect(refused.every(Boolean)).toBe(true);
    expect(peer.session.stats().blockedStreams).toBe(10);
    const queued = peer.session.stats().queuedBytesOut;
    const buffered = streams.reduce((sum, s) => sum + s.bufferedOutbound, 0);
    // The socket holds about its high-water mark plus one batch; each stream its own buffer.
    expect(queued).toBeLessThanOrEqual(16 * KIB + 2 * 16 * KIB + 16 * KIB);
    expect(buffered).toBeLessThanOrEqual(10 * (32 * KIB + 16 * KIB));
    expect(peer.socket.readableLength).toBeLessThanOrEqual(16 * KIB + 32 * KIB);
    peer.session.destroy();
  });
});

describe('the connection is cut in the middle of transfers', () => {
  it('every stream on both sides errors promptly and both sessions report the loss', async () => {
    const { client, server, clientSocket } = sessionPair();
    const inbound: MuxStream[] = [];
    server.on('stream', (s) => {
      inbound.push(track(s));
      s.pipe(s);
    });
    const streams = Array.from({ length: 10 }, () => openStream(client));
    for (const s of streams) {
      s.resume();
      void writeAll(s, randomData(4 * MIB), 32 * KIB).catch(() => undefined);
    }
    await until(() => server.stats().dataBytesIn > 2 * MIB, 'transfers to be under way');
    const clientClosed = once(client, 'close') as Promise<[Error | undefined]>;
    const serverClosed = once(server, 'close') as Promise<[Error | undefined]>;
    clientSocket.destroy();
    const [[clientError], [serverError]] = await Promise.all([clientClosed, serverClosed]);
    expect(clientError).toBeInstanceOf(MuxConnectionLostError);
    expect(serverError).toBeInstanceOf(MuxConnectionLostError);
    const errors = await Promise.all([...streams, ...inbound].map((s) => closedWith(s)));
    expect(errors).toHaveLength(20);
    for (const error of errors) expect(error).toBeInstanceOf(MuxConnectionLostError);
  });
});

describe('many streams', () => {
  it('10,000 streams opened and closed leave no streams, listeners, waiters or timers behind', async () => {
    const { client, server, clientSocket, serverSocket } = sessionPair();
    const listenerCounts = (): number[] =>
      [clientSocket, serverSocket].flatMap((s) => s.eventNames().map((e) => s.listenerCount(e)));
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    server.on('stream', (s) => {
      s.on('data', (chunk: Buffer) => s.write(chunk));
      s.on('end', () => s.end());
    });
    await client.ping(); // settle the session's own state before taking the baseline
    const baselineListeners = listenerCounts();
    const baselineTimers = timers();
    let echoed = 0;
    for (let batch = 0; batch < 100; batch += 1) {
      await Promise.all(
        Array.from({ length: 100 }, async () => {
          const s = client.open();
          s.end('ping');
          const reply = await readAll(s);
          if (reply.toString() === 'ping') echoed += 1;
          if (!s.closed) await once(s, 'close');
        }),
      );
    }
    await until(() => server.stats().openStreams === 0, 'the server to forget its streams');
    process.off('warning', onWarning);
    expect(echoed).toBe(10_000);
    expect(client.stats().openStreams).toBe(0);
    expect(server.stats().openStreams).toBe(0);
    expect(listenerCounts()).toEqual(baselineListeners);
    expect(timers()).toBeLessThanOrEqual(baselineTimers); // a leak would grow with the streams
    expect(client.stats().blockedStreams + server.stats().blockedStreams).toBe(0);
    expect(client.stats().windowGrowthBytes + server.stats().windowGrowthBytes).toBe(0);
    expect(warnings).toEqual([]);
    expect(openStream(client).id).toBe(20_001);
    await client.close();
  });
});

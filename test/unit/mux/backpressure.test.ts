/**
 * Backpressure toward a peer that does not read (issue 16): the session stops parsing the peer's
 * frames while its write queue holds more than data alone can fill it with plus the reply
 * backlog, and resumes when the peer reads again; the queue's buffer grows geometrically; a
 * stream can queue a caller's bytes without keeping them (`sendNow`); parsing is budgeted per
 * turn of the event loop and per second; the gateway's pre-authentication limits; and a closing
 * session stops reading a peer that keeps flooding it.
 */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MuxProtocolError } from '../../../src/tunnel/mux/errors.js';
import { Flag, FrameType, GoAwayCode, HEADER_LENGTH } from '../../../src/tunnel/mux/frame-header.js';
import { FrameWriter } from '../../../src/tunnel/mux/frame-writer.js';
import { ReadBudget } from '../../../src/tunnel/mux/read-budget.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import { RawPeer, frame } from './support/raw-peer.js';
import { nextStream, openStream, sessionPair, until } from './support/session-pair.js';

const KIB = 1024;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Frames that make the session answer: Pings with nonces `from` … `from + count - 1`. */
function pings(from: number, count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, i) => frame(FrameType.Ping, Flag.SYN, 0, from + i)));
}

describe('a peer that floods Pings and does not read', () => {
  it('the session stops reading once its queue holds its bound, answers every Ping in order once the peer reads again', async () => {
    const peer = new RawPeer(
      { mode: 'client', writeBatchBytes: 16 * KIB, replyBacklogBytes: 4 * KIB },
      { peer: { highWaterMark: 16 * KIB } },
    );
    peer.socket.pause();
    peer.socket.removeAllListeners('data');
    const COUNT = 20_000; // 240 KB of answers, three times the queue's bound
    peer.send(pings(0, COUNT));
    await peer.settle(50);
    const stats = peer.session.stats();
    // Data fills at most two batches (16 KiB + one 16 KiB frame + room for control frames, each);
    // beyond that the 4 KiB reply backlog, then reading stops (at most one frame later).
    const bound = 2 * (16 * KIB + (16 * KIB - 12) + 64 * HEADER_LENGTH) + 4 * KIB;
    expect(stats.readPaused).toBe(true);
    expect(stats.readPauses).toBeGreaterThanOrEqual(1);
    expect(stats.queuedBytesOutPeak).toBeLessThanOrEqual(bound + HEADER_LENGTH);
    expect(stats.framesReadWhileBlocked).toBe(0);
    expect(stats.framesIn).toBeLessThan(COUNT / 2);

    // The peer reads again: every Ping is answered, in order, nothing lost or doubled.
    peer.socket.on('data', (chunk: Buffer) => {
      peer.received = Buffer.concat([peer.received, chunk]);
    });
    peer.socket.resume();
    await until(() => peer.session.stats().framesIn === COUNT, 'every Ping read');
    await until(() => peer.frames().filter((f) => f.type === FrameType.Ping).length === COUNT, 'every answer');
    const answers = peer.frames().filter((f) => f.type === FrameType.Ping);
    expect(answers.every((f, i) => f.flags === Flag.ACK && f.length === i)).toBe(true);
    expect(peer.session.stats().readPaused).toBe(false);
    expect(peer.session.closed).toBe(false);
    peer.session.destroy();
  });
});

describe('the write queue', () => {
  it('grows its buffer geometrically: 10,000 control frames queued behind a blocked write take a handful of allocations', () => {
    // A socket that never reports a write done: everything after the first batch stays queued.
    const socket = new Writable({
      write() {
        // never completes
      },
    });
    // Small batches (4 KiB, 1 KiB frames), so that the queue goes far beyond them.
    const writer = new FrameWriter(socket, 4 * KIB, KIB, false);
    const allocations = vi.spyOn(Buffer, 'allocUnsafe');
    for (let i = 0; i < 10_000; i += 1) writer.writeFrame(FrameType.Ping, Flag.ACK, 0, i);
    expect(writer.queuedBytes).toBe(10_000 * HEADER_LENGTH);
    // Doubling to 120 KB is a few steps; growing by one frame was ~9,500 (each a copy of the queue).
    expect(allocations.mock.calls.length).toBeLessThan(20);
    writer.close();
  });
});

describe('MuxStream.sendNow', () => {
  it('queues what credit and the queue take, copied (the caller may reuse its buffer at once), and nothing while a write waits', async () => {
    const { client, server } = sessionPair();
    const accepted = nextStream(server);
    const stream = openStream(client);
    const source = Buffer.alloc(64 * KIB, 1);
    expect(stream.sendNow(source)).toBe(64 * KIB);
    source.fill(2); // reused at once, as a relay's shared read buffer is
    const inbound = await accepted;
    const received: Buffer[] = [];
    inbound.on('data', (chunk: Buffer) => received.push(chunk));
    inbound.pause();
    const ended = once(inbound, 'end');
    // 256 KiB of credit: 192 KiB more go, then nothing.
    expect(stream.sendNow(Buffer.alloc(256 * KIB, 1))).toBe(192 * KIB);
    expect(stream.sendWindow).toBe(0);
    expect(stream.sendNow(Buffer.alloc(1, 1))).toBe(0);
    // A write waiting for credit keeps its place: sendNow does not jump the queue.
    const waiting = stream.write(Buffer.alloc(KIB, 1));
    expect(waiting).toBe(true);
    expect(stream.bufferedOutbound).toBe(KIB);
    inbound.resume();
    await until(() => stream.bufferedOutbound === 0, 'the waiting write to go out once credit comes back');
    expect(stream.sendNow(Buffer.alloc(KIB, 1))).toBe(KIB);
    stream.end();
    await ended;
    const all = Buffer.concat(received);
    expect(all.length).toBe(256 * KIB + 2 * KIB);
    expect(all.every((byte) => byte === 1)).toBe(true);
    client.destroy();
  });
});

describe('the reading budget', () => {
  it('per turn: 2,000 streams opened and reset in one chunk are taken a few dozen per turn of the event loop, all of them in the end', async () => {
    const peer = new RawPeer({ mode: 'server' });
    const accepted: MuxStream[] = [];
    let firstTurn: number | undefined;
    peer.session.on('stream', (stream) => {
      stream.on('error', () => undefined);
      accepted.push(stream);
      if (accepted.length === 1)
        setImmediate(() => {
          firstTurn = accepted.length;
        });
    });
    const COUNT = 2_000;
    peer.send(
      ...Array.from({ length: COUNT }, (_, i) =>
        Buffer.concat([frame(FrameType.Data, Flag.SYN, 2 * i + 1, 0), frame(FrameType.Data, Flag.RST, 2 * i + 1, 0)]),
      ),
    );
    await until(() => accepted.length === COUNT, 'every stream taken');
    // 8,192 units a turn, 100 a stream: ~80 per turn (the turn's end may take one more turn's worth).
    expect(firstTurn).toBeLessThan(250);
    expect(peer.session.stats().openStreams).toBe(0);
    expect(peer.session.closed).toBe(false);
    peer.session.destroy();
  });

  it('per second: once a second worth is spent, reading waits until the budget has refilled a turn', () => {
    let now = 0;
    const budget = new ReadBudget(100, 1_000, () => now);
    for (let turn = 0; turn < 10; turn += 1) {
      expect(budget.allows()).toBe(true);
      budget.spend(100);
      expect(budget.allows()).toBe(false); // this turn is spent
      const wait = budget.nextTurn();
      expect(wait).toBe(turn < 9 ? 0 : 100); // the tenth turn empties the second's bucket
    }
    now = 100;
    expect(budget.nextTurn()).toBe(0);
    expect(budget.allows()).toBe(true);
    budget.spend(50);
    expect(budget.allows()).toBe(true);
  });
});

describe('inbound limits (the gateway, before the agent authenticates)', () => {
  it('more frames than allowed: GoAway(protocol error), the session ends saying why', async () => {
    const peer = new RawPeer({ mode: 'server' });
    peer.session.limitInbound({ frames: 10, bytes: 1_000_000, until: 'before authenticating' });
    const closed = once(peer.session, 'close') as Promise<[Error | undefined]>;
    peer.send(pings(0, 11));
    const [error] = await closed;
    expect(error).toBeInstanceOf(MuxProtocolError);
    expect(error?.message).toBe('the peer sent more than 10 frames before authenticating');
    expect(peer.frames().find((f) => f.type === FrameType.GoAway)?.length).toBe(GoAwayCode.ProtocolError);
  });

  it('more bytes than allowed: the same; lifting the limit lets everything through', async () => {
    const limited = new RawPeer({ mode: 'server' });
    limited.session.limitInbound({ frames: 1_000, bytes: 1_000, until: 'before authenticating' });
    limited.session.on('stream', (stream) => stream.on('error', () => undefined).resume());
    const closed = once(limited.session, 'close') as Promise<[Error | undefined]>;
    limited.send(frame(FrameType.Data, Flag.SYN, 1, Buffer.alloc(600)));
    await limited.settle();
    limited.send(frame(FrameType.Data, 0, 1, Buffer.alloc(600)));
    const [error] = await closed;
    expect(error?.message).toBe('the peer sent more than 1000 bytes before authenticating');

    const lifted = new RawPeer({ mode: 'server' });
    lifted.session.limitInbound({ frames: 10, bytes: 1_000, until: 'before authenticating' });
    lifted.session.limitInbound(null);
    lifted.session.on('stream', (stream) => stream.on('error', () => undefined).resume());
    lifted.send(frame(FrameType.Data, Flag.SYN, 1, Buffer.alloc(600)), pings(0, 100));
    await until(() => lifted.session.stats().framesIn === 101, 'every frame read');
    expect(lifted.session.closed).toBe(false);
    lifted.session.destroy();
  });
});

describe('a closing session and a peer that keeps sending', () => {
  it('drops at most about 1 MiB more, then stops reading it (the close timeout ends it)', async () => {
    const peer = new RawPeer(
      { mode: 'server', closeTimeoutMs: 60_000 },
      { session: { highWaterMark: 16 * KIB }, hangUp: false },
    );
    peer.session.limitInbound({ frames: 10, bytes: 1_000_000, until: 'before authenticating' });
    const closed = once(peer.session, 'close');
    peer.send(pings(0, 11)); // a protocol error: GoAway, then a graceful close that waits for the peer
    await peer.settle();
    expect(peer.session.closed).toBe(true);
    const flood = Buffer.alloc(64 * KIB);
    for (let i = 0; i < 64; i += 1) peer.socket.write(flood); // 4 MiB more
    await peer.settle(400);
    expect(peer.socket.writableLength).toBeGreaterThan(0); // the peer's writes wait: we stopped reading
    expect(peer.session.stats().wireBytesIn).toBeLessThan(1024 * KIB + 3 * 64 * KIB);
    peer.session.destroy();
    await closed;
  });
});

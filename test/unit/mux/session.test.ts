import { once } from 'node:events';
import { Transform, pipeline } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  MuxConnectionLostError,
  MuxProtocolError,
  MuxRemoteGoAwayError,
  MuxSessionClosedError,
  MuxStreamLimitError,
  MuxStreamResetError,
  MuxTimeoutError,
} from '../../../src/tunnel/mux/errors.js';
import { Flag, FrameType, GoAwayCode } from '../../../src/tunnel/mux/frame-header.js';
import type { Session } from '../../../src/tunnel/mux/session.js';
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

async function sessionClosed(session: Session): Promise<Error | undefined> {
  const [error] = (await once(session, 'close')) as [Error | undefined];
  return error;
}

/** Expects the raw peer to receive a GoAway with `code` and the session to close with a protocol error. */
async function expectProtocolError(peer: RawPeer, code: number, message: RegExp): Promise<void> {
  const error = await sessionClosed(peer.session);
  expect(error).toBeInstanceOf(MuxProtocolError);
  expect((error as MuxProtocolError).goAwayCode).toBe(code);
  expect(error?.message).toMatch(message);
  const goAway = peer.frames().find((f) => f.type === FrameType.GoAway);
  expect(goAway?.length).toBe(code);
}

describe('session and streams', () => {
  it('carries data both ways on many concurrent streams, intact', async () => {
    const { client, server } = sessionPair();
    server.on('stream', (s) => {
      s.pipe(s);
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const stream = client.open();
        const data = randomData(200_000);
        const [, echoed] = await Promise.all([writeAll(stream, data, 7_000), readAll(stream)]);
        return sha256(echoed) === sha256(data);
      }),
    );
    expect(results.every(Boolean)).toBe(true);
    await until(() => client.stats().openStreams === 0 && server.stats().openStreams === 0, 'streams to close');
  });

  it('works with stream.pipeline through a Transform', async () => {
    const { client, server } = sessionPair();
    server.on('stream', (s) => {
      const upper = new Transform({
        transform: (chunk: Buffer, _e, cb) => {
          cb(null, Buffer.from(chunk.toString().toUpperCase()));
        },
      });
      pipeline(s, upper, s, () => undefined);
    });
    const stream = client.open();
    stream.end('hello through the mux');
    expect((await readAll(stream)).toString()).toBe('HELLO THROUGH THE MUX');
  });

  it('half-closes from the opener: the peer reads EOF and can still answer', async () => {
    const { client, server } = sessionPair();
    const accepted = nextStream(server);
    const stream = openStream(client);
    stream.end('request');
    const inbound = await accepted;
    expect((await readAll(inbound)).toString()).toBe('request');
    inbound.end('response after EOF');
    expect((await readAll(stream)).toString()).toBe('response after EOF');
    await Promise.all([closedWith(stream), closedWith(inbound)]);
    expect(client.stats().openStreams).toBe(0);
    expect(server.stats().openStreams).toBe(0);
  });

  it('half-closes from the accepting side: the opener reads EOF and can still send', async () => {
    const { client, server } = sessionPair();
    const accepted = nextStream(server);
    const stream = openStream(client);
    stream.write('hello');
    const inbound = await accepted;
    inbound.end('bye');
    expect((await readAll(stream)).toString()).toBe('bye');
    stream.end(' and more after your FIN');
    expect((await readAll(inbound)).toString()).toBe('hello and more after your FIN');
  });

  it('a reset by the opener errors the peer stream with MuxStreamResetError', async () => {
    const { client, server } = sessionPair();
    const accepted = nextStream(server);
    const stream = openStream(client);
    stream.write('x');
    const inbound = await accepted;
    stream.reset();
    const error = await closedWith(inbound);
    expect(error).toBeInstanceOf(MuxStreamResetError);
    expect(await closedWith(stream)).toBeUndefined();
    expect(inbound.write('late')).toBe(false);
  });

  it('a reset by the accepting side errors the opener stream', async () => {
    const { client, server } = sessionPair();
    server.on('stream', (s) => {
      s.reset();
    });
    const stream = openStream(client);
    stream.write('x');
    expect(await closedWith(stream)).toBeInstanceOf(MuxStreamResetError);
  });

  it('destroy(err) resets the peer even after both sides wrote', async () => {
    const { client, server } = sessionPair();
    const accepted = nextStream(server);
    const stream = openStream(client);
    stream.write('x');
    const inbound = await accepted;
    inbound.write('y');
    stream.destroy(new Error('upstream failed'));
    expect(await closedWith(inbound)).toBeInstanceOf(MuxStreamResetError);
  });

  it('graceful close: open streams error, the peer sees a clean close, open() is refused', async () => {
    const { client, server } = sessionPair();
    const accepted = nextStream(server);
    const stream = openStream(client);
    stream.write('x');
    const inbound = await accepted;
    const serverClosed = sessionClosed(server);
    const clientClosed = sessionClosed(client);
    await client.close();
    expect(await clientClosed).toBeUndefined();
    expect(await serverClosed).toBeUndefined();
    expect(await closedWith(stream)).toBeInstanceOf(MuxSessionClosedError);
    expect(await closedWith(inbound)).toBeInstanceOf(MuxSessionClosedError);
    expect(() => client.open()).toThrow(MuxSessionClosedError);
    await expect(client.ping()).rejects.toBeInstanceOf(MuxSessionClosedError);
    await client.close(); // idempotent
  });

  it('close() gives up waiting for a peer that never hangs up after closeTimeoutMs', async () => {
    const peer = new RawPeer({ mode: 'client', closeTimeoutMs: 50 }, { hangUp: false });
    await peer.session.close();
    expect(peer.frames().at(-1)?.type).toBe(FrameType.GoAway);
    expect(peer.sessionSocket.destroyed).toBe(true);
  });

  it('destroy(err): every stream errors at once and close reports the error', async () => {
    const { client, server } = sessionPair();
    const inbound: MuxStream[] = [];
    server.on('stream', (s) => {
      inbound.push(track(s).resume());
    });
    const streams = Array.from({ length: 5 }, () => openStream(client));
    for (const s of streams) s.write('x');
    await until(() => server.stats().openStreams === 5, 'streams to open');
    const reason = new Error('engine stopping');
    const closed = sessionClosed(client);
    const serverClosed = sessionClosed(server);
    client.destroy(reason);
    expect(await closed).toBe(reason);
    for (const s of streams) expect(await closedWith(s)).toBe(reason);
    expect(await serverClosed).toBeInstanceOf(MuxConnectionLostError);
    for (const s of inbound) expect(await closedWith(s)).toBeInstanceOf(MuxConnectionLostError);
  });

  it('ping() measures a round trip; rttMs keeps it', async () => {
    const { client, server } = sessionPair();
    const rtt = await client.ping();
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(client.rttMs).toBe(rtt);
    expect(client.stats().rttMs).toBe(rtt);
    expect(await server.ping()).toBeGreaterThanOrEqual(0);
  });

  it('ping() rejects with MuxTimeoutError when the peer does not answer', async () => {
    const peer = new RawPeer({ mode: 'client' }); // a raw peer answers nothing
    await expect(peer.session.ping(30)).rejects.toBeInstanceOf(MuxTimeoutError);
    const [ping] = peer.frames();
    expect(ping).toMatchObject({ type: FrameType.Ping, flags: Flag.SYN, streamId: 0 });
  });

  it('keepalive closes the session when pings go unanswered, and is off by default', async () => {
    const silent = new RawPeer({ mode: 'client', keepAliveIntervalMs: 10, pingTimeoutMs: 30 });
    expect(await sessionClosed(silent.session)).toBeInstanceOf(MuxTimeoutError);

    const quiet = new RawPeer({ mode: 'client' });
    await quiet.settle(50);
    expect(quiet.received.length).toBe(0);
  });

  it('keepalive keeps a session with an answering peer open and measures RTT', async () => {
    const { client } = sessionPair({ client: { keepAliveIntervalMs: 5, pingTimeoutMs: 5_000 } });
    await until(() => client.rttMs !== undefined, 'a keepalive round trip');
    expect(client.closed).toBe(false);
    client.destroy();
  });

  it('counts bytes per stream and per session', async () => {
    const { client, server } = sessionPair();
    const accepted = nextStream(server);
    const stream = openStream(client);
    stream.end(Buffer.alloc(50_000));
    const inbound = await accepted;
    const received = await readAll(inbound);
    expect(received.length).toBe(50_000);
    expect(stream.bytesWritten).toBe(50_000);
    expect(inbound.bytesRead).toBe(50_000);
    expect(client.stats().dataBytesOut).toBe(50_000);
    expect(server.stats().dataBytesIn).toBe(50_000);
    expect(client.stats().wireBytesOut).toBeGreaterThan(50_000);
    expect(server.stats().wireBytesIn).toBe(client.stats().wireBytesOut);
    expect(server.stats().framesIn).toBe(client.stats().framesOut);
    expect(server.stats().inboundStreams).toBe(1);
    expect(client.stats().outboundStreams).toBe(1);
  });

  it('open() refuses beyond maxStreams with MuxStreamLimitError, and allows again once one closes', async () => {
    const { client, server } = sessionPair({ client: { maxStreams: 2 } });
    server.on('stream', (s) => {
      s.resume();
      s.end();
    });
    const a = client.open();
    client.open();
    expect(() => client.open()).toThrow(MuxStreamLimitError);
    a.end();
    a.resume();
    await closedWith(a);
    expect(client.open().id).toBe(5);
  });

  it('both sides may open streams on the same session', async () => {
    const { client, server } = sessionPair();
    const toServer = nextStream(server);
    const toClient = nextStream(client);
    client.open().end('from client');
    server.open().end('from server');
    expect((await readAll(await toServer)).toString()).toBe('from client');
    const inbound = await toClient;
    expect(inbound.id).toBe(2);
    expect((await readAll(inbound)).toString()).toBe('from server');
  });

  it('holds inbound streams until a listener arrives, and resets those beyond the backlog', async () => {
    const peer = new RawPeer({ mode: 'client', inboundBacklog: 2 });
    peer.send(
      frame(FrameType.Data, Flag.SYN, 2, Buffer.from('a')),
      frame(FrameType.Data, Flag.SYN, 4, Buffer.from('b')),
      frame(FrameType.Data, Flag.SYN, 6, Buffer.from('c')),
    );
    const [rst] = await peer.waitForFrames(1);
    expect(rst).toMatchObject({ type: FrameType.Data, flags: Flag.RST, streamId: 6 });
    const seen: MuxStream[] = [];
    peer.session.on('stream', (s) => seen.push(s));
    await until(() => seen.length === 2, 'the backlog to be delivered');
    expect(seen.map((s) => s.id)).toEqual([2, 4]);
    expect((seen[0]?.read() as Buffer).toString()).toBe('a');
  });

  it('drops a backlog stream the peer resets, quietly (nobody listens for its error yet)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    peer.send(
      frame(FrameType.Data, Flag.SYN, 2, Buffer.from('a')),
      frame(FrameType.Data, Flag.SYN, 4, Buffer.from('b')),
      frame(FrameType.Data, Flag.RST, 2, 0),
    );
    await until(() => peer.session.stats().openStreams === 1, 'the reset stream to go');
    const seen: MuxStream[] = [];
    peer.session.on('stream', (s) => seen.push(s));
    await until(() => seen.length === 1, 'the backlog to be delivered');
    expect(seen[0]?.id).toBe(4);
  });

  it('closes streams still waiting in the backlog quietly when the session ends (nobody listens for their errors)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    peer.send(frame(FrameType.Data, Flag.SYN, 2, Buffer.from('a')));
    await until(() => peer.session.stats().openStreams === 1, 'the stream to arrive');
    peer.session.destroy(new Error('going away'));
    await peer.settle();
    expect(peer.session.stats().openStreams).toBe(0); // and no unhandled 'error' fails this test
  });
});

describe('protocol errors close the session with GoAway and a MuxProtocolError, never a crash', () => {
  it('a SYN with our own parity → GoAway(1)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    peer.send(frame(FrameType.Data, Flag.SYN, 3, Buffer.from('x')));
    await expectProtocolError(peer, GoAwayCode.ProtocolError, /stream 3/);
  });

  it('a stream opened twice → GoAway(1)', async () => {
    const peer = new RawPeer({ mode: 'server' });
    peer.session.on('stream', (s) => {
      track(s).resume();
    });
    peer.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0), frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
    await expectProtocolError(peer, GoAwayCode.ProtocolError, /already open/);
  });

  it('Data on stream 0 → GoAway(1)', async () => {
    const peer = new RawPeer({ mode: 'server' });
    peer.send(frame(FrameType.Data, 0, 0, Buffer.from('x')));
    await expectProtocolError(peer, GoAwayCode.ProtocolError, /stream 0/);
  });

  it('a body beyond maxIncomingFrameBody → GoAway(1) before the body is read', async () => {
    const peer = new RawPeer({ mode: 'server' });
    peer.send(frame(FrameType.Data, Flag.SYN, 1, 2 * 1024 * 1024));
    await expectProtocolError(peer, GoAwayCode.ProtocolError, /more than the 1048576 accepted/);
  });

  it('a malformed header (version 1) → GoAway(1)', async () => {
    const peer = new RawPeer({ mode: 'server' });
    const bad = frame(FrameType.Ping, Flag.SYN, 0, 1);
    bad[0] = 1;
    peer.send(bad);
    await expectProtocolError(peer, GoAwayCode.ProtocolError, /version 1/);
  });

  it('more inbound streams than maxStreams → GoAway(2) for a Data SYN, as 0.10 does', async () => {
    const peer = new RawPeer({ mode: 'server', maxStreams: 1 });
    peer.session.on('stream', (s) => {
      track(s).resume();
    });
    peer.send(
      frame(FrameType.Data, Flag.SYN, 1, Buffer.from('a')),
      frame(FrameType.Data, Flag.SYN, 3, Buffer.from('b')),
    );
    await expectProtocolError(peer, GoAwayCode.InternalError, /limit of 1 streams/);
  });

  it('open streams error with the protocol error', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = openStream(peer.session);
    stream.write('x');
    peer.send(frame(FrameType.Data, Flag.SYN, 1, Buffer.from('x')));
    expect(await closedWith(stream)).toBeInstanceOf(MuxProtocolError);
  });

  it('Data and WindowUpdate for unknown streams are ignored', async () => {
    const peer = new RawPeer({ mode: 'client' });
    peer.send(
      frame(FrameType.Data, 0, 2, Buffer.from('late')),
      frame(FrameType.WindowUpdate, 0, 4, 100),
      frame(FrameType.Data, Flag.RST, 8, 0),
      frame(FrameType.Ping, Flag.SYN, 0, 7),
    );
    const [pong] = await peer.waitForFrames(1);
    expect(pong).toMatchObject({ type: FrameType.Ping, flags: Flag.ACK, length: 7 });
    expect(peer.session.closed).toBe(false);
  });

  it('a GoAway(0) from the peer closes cleanly; the streams error', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = openStream(peer.session);
    stream.write('x');
    const closed = sessionClosed(peer.session);
    peer.send(frame(FrameType.GoAway, 0, 0, 0));
    expect(await closed).toBeUndefined();
    expect(await closedWith(stream)).toBeInstanceOf(MuxSessionClosedError);
  });

  it('a GoAway with an error code is reported as MuxRemoteGoAwayError', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const closed = sessionClosed(peer.session);
    peer.send(frame(FrameType.GoAway, 0, 0, 1));
    const error = await closed;
    expect(error).toBeInstanceOf(MuxRemoteGoAwayError);
    expect((error as MuxRemoteGoAwayError).goAwayCode).toBe(1);
  });

  it('an exception thrown by a stream listener closes the session instead of crashing', async () => {
    const peer = new RawPeer({ mode: 'client' });
    peer.session.on('stream', (s) => {
      track(s);
      throw new Error('listener bug');
    });
    const closed = sessionClosed(peer.session);
    peer.send(frame(FrameType.Data, Flag.SYN, 2, Buffer.from('x')));
    expect((await closed)?.message).toBe('listener bug');
  });
});

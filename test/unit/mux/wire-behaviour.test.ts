/**
 * What our session puts on the wire toward a yamux 0.10.2 peer (PROTOCOL.md §2.3–2.7), checked
 * byte for byte against the `yamux_frame` vectors with a hand-driven peer; and how those frames
 * are handed to the transport (whole frames per write, small frames coalesced, TCP_NODELAY).
 */
import { once } from 'node:events';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { Flag, FrameType, HEADER_LENGTH } from '../../../src/tunnel/mux/frame-header.js';
import { Session } from '../../../src/tunnel/mux/session.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import { RawPeer, frame, parseFrames } from './support/raw-peer.js';
import { nextStream, until } from './support/session-pair.js';
import { yamuxVector } from './support/vectors.js';

const KIB = 1024;

/** The gateway's side of a data stream: it opens stream 2 with a Data SYN carrying `body`. */
async function inboundStream(peer: RawPeer, body = Buffer.from('connect')): Promise<MuxStream> {
  const accepted = nextStream(peer.session);
  peer.send(frame(FrameType.Data, Flag.SYN, 2, body));
  const stream = await accepted;
  stream.on('error', () => undefined);
  return stream;
}

describe('wire behaviour toward a yamux 0.10 peer', () => {
  it('opening the control stream: SYN rides on the first Data frame, no window update first (yamux_control_open_hello)', async () => {
    const vector = yamuxVector('yamux_control_open_hello');
    const peer = new RawPeer({ mode: 'client' });
    const stream = peer.session.open();
    expect(stream.id).toBe(1);
    await peer.settle();
    expect(peer.received.length).toBe(0); // opening alone sends nothing
    stream.write(vector.subarray(12));
    await peer.waitForFrames(1);
    expect(peer.received.equals(vector)).toBe(true);
  });

  it('client ids are odd from 1, server ids even from 2', () => {
    const client = new RawPeer({ mode: 'client' }).session;
    const server = new RawPeer({ mode: 'server' }).session;
    expect([client.open().id, client.open().id, client.open().id]).toEqual([1, 3, 5]);
    expect([server.open().id, server.open().id]).toEqual([2, 4]);
  });

  it('an inbound stream: ACK rides on our reply (yamux_stream_reply_ok_ack), then FIN (yamux_fin)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = await inboundStream(peer);
    expect(stream.id).toBe(2);
    const reply = yamuxVector('yamux_stream_reply_ok_ack');
    stream.write(reply.subarray(12));
    stream.end();
    const frames = await peer.waitForFrames(2);
    expect(frames[0]?.bytes.equals(reply)).toBe(true);
    expect(frames[1]?.bytes.equals(yamuxVector('yamux_fin'))).toBe(true);
    expect(frames).toHaveLength(2);
  });

  it('ACK rides on a FIN when the FIN is our first frame on an inbound stream', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = await inboundStream(peer);
    stream.end();
    const [fin] = await peer.waitForFrames(1);
    expect(fin).toMatchObject({ type: FrameType.Data, flags: Flag.FIN | Flag.ACK, streamId: 2, length: 0 });
  });

  it('destroying a fully open stream sends RST (yamux_rst); reset() too', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = await inboundStream(peer);
    stream.write(Buffer.from('ok'));
    await peer.waitForFrames(1);
    stream.destroy();
    const frames = await peer.waitForFrames(2);
    expect(frames[1]?.bytes.equals(yamuxVector('yamux_rst'))).toBe(true);

    const other = new RawPeer({ mode: 'client' });
    const second = await inboundStream(other);
    second.write(Buffer.from('ok'));
    second.reset();
    const [, rst] = await other.waitForFrames(2);
    expect(rst?.bytes.equals(yamuxVector('yamux_rst'))).toBe(true);
  });

  it('destroying after the peer half-closed sends FIN, not RST (§2.6)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = await inboundStream(peer);
    stream.write(Buffer.from('ok'));
    stream.resume();
    peer.send(frame(FrameType.Data, Flag.FIN, 2, 0));
    await new Promise((resolve) => stream.once('end', resolve));
    stream.destroy();
    const [, last] = await peer.waitForFrames(2);
    expect(last?.bytes.equals(yamuxVector('yamux_fin'))).toBe(true);
  });

  it('destroying after our own FIN sends nothing while the peer still has credit (§2.6)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = await inboundStream(peer);
    stream.end(Buffer.from('ok'));
    await peer.waitForFrames(2);
    stream.destroy();
    await peer.settle();
    expect(peer.frames()).toHaveLength(2);
  });

  it('destroying after our own FIN sends RST when the peer has no credit left (§2.6)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = await inboundStream(peer, Buffer.alloc(0));
    stream.end(Buffer.from('ok'));
    await peer.waitForFrames(2);
    peer.send(frame(FrameType.Data, 0, 2, Buffer.alloc(256 * KIB))); // fills the window; nobody reads
    await until(() => stream.bufferedInbound === 256 * KIB, 'the window to fill');
    stream.destroy();
    const [, , rst] = await peer.waitForFrames(3);
    expect(rst?.bytes.equals(yamuxVector('yamux_rst'))).toBe(true);
  });

  it('returns exactly the consumed amount once half the window has been read (yamux_window_update)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = await inboundStream(peer, Buffer.alloc(1000));
    stream.write(Buffer.from('reply')); // our first frame takes the ACK
    await peer.waitForFrames(1);
    let read = 0;
    stream.on('data', (chunk: Buffer) => {
      read += chunk.length;
    });
    // 1000 + 130071 = 131071 bytes: one short of half the window, no update yet.
    peer.send(frame(FrameType.Data, 0, 2, Buffer.alloc(130_071)));
    await until(() => read === 131_071, 'all but one byte read');
    await peer.settle();
    expect(peer.frames()).toHaveLength(1);
    peer.send(frame(FrameType.Data, 0, 2, Buffer.alloc(1)));
    const frames = await peer.waitForFrames(2);
    expect(frames[1]?.bytes.equals(yamuxVector('yamux_window_update'))).toBe(true);
    // With auto-tuning on (the default) an RTT probe may follow the update: a Ping with SYN.
    await peer.settle();
    for (const extra of peer.frames().slice(2))
      expect(extra).toMatchObject({ type: FrameType.Ping, flags: Flag.SYN, streamId: 0 });
  });

  it('ACK rides on a window update when that is our first frame on an inbound stream', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = await inboundStream(peer, Buffer.alloc(200 * KIB));
    stream.resume();
    const [update] = await peer.waitForFrames(1);
    expect(update).toMatchObject({ type: FrameType.WindowUpdate, flags: Flag.ACK, streamId: 2, length: 200 * KIB });
  });

  it('answers a Ping with ACK and the same nonce on stream 0 (yamux_ping_reply)', async () => {
    const peer = new RawPeer({ mode: 'client' });
    await inboundStream(peer);
    // Flags 0 (as 0.10 pings) or SYN (hashicorp, libp2p); on stream 0 or a known stream, not an unknown one.
    peer.send(
      frame(FrameType.Ping, 0, 0, 0x2a),
      frame(FrameType.Ping, Flag.SYN, 0, 0x2a),
      frame(FrameType.Ping, 0, 2, 0x2a),
      frame(FrameType.Ping, 0, 4, 0x2a),
    );
    const frames = await peer.waitForFrames(3);
    await peer.settle();
    expect(peer.frames()).toHaveLength(3);
    for (const reply of frames) expect(reply.bytes.equals(yamuxVector('yamux_ping_reply'))).toBe(true);
  });

  it('graceful close: pending frames, then GoAway(0) (yamux_go_away_normal), then the socket ends', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = peer.session.open();
    stream.on('error', () => undefined);
    stream.write(Buffer.from('last words'));
    const closed = peer.session.close();
    await until(() => peer.ended, 'the socket to end');
    const frames = peer.frames();
    expect(frames.map((f) => f.type)).toEqual([FrameType.Data, FrameType.GoAway]);
    expect(frames[0]?.body.toString()).toBe('last words');
    expect(frames[1]?.bytes.equals(yamuxVector('yamux_go_away_normal'))).toBe(true);
    peer.socket.end();
    await closed;
    expect(peer.session.closed).toBe(true);
  });

  it('a SYN WindowUpdate length is extra credit on top of 256 KiB', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const accepted = nextStream(peer.session);
    peer.send(frame(FrameType.WindowUpdate, Flag.SYN, 2, 100 * KIB));
    const stream = await accepted;
    stream.write(Buffer.alloc(1024 * KIB));
    await peer.settle(200);
    const sent = peer.frames().reduce((sum, f) => sum + f.body.length, 0);
    expect(sent).toBe(356 * KIB);
    expect(stream.sendWindow).toBe(0);
  });

  it('never sends Data beyond the credit of a peer that keeps the fixed 256 KiB window, and resumes on its updates', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = peer.session.open();
    stream.write(Buffer.alloc(600 * KIB));
    await peer.settle(200);
    const dataBytes = (): number =>
      peer
        .frames()
        .filter((f) => f.type === FrameType.Data)
        .reduce((sum, f) => sum + f.body.length, 0);
    expect(dataBytes()).toBe(256 * KIB);
    peer.send(frame(FrameType.WindowUpdate, 0, 1, 128 * KIB));
    await until(() => dataBytes() === 384 * KIB, '128 KiB more');
    await peer.settle(50);
    expect(dataBytes()).toBe(384 * KIB);
    // Every Data body is within the configured split size, which fits one TLS record with its header.
    expect(Math.max(...peer.frames().map((f) => f.body.length + 12))).toBeLessThanOrEqual(16 * KIB);
  });

  it('a window above 256 KiB is announced with a SYN WindowUpdate when the stream opens (as 0.10 does)', async () => {
    const peer = new RawPeer({ mode: 'client', initialStreamWindow: 1024 * KIB });
    const stream = peer.session.open();
    const [open] = await peer.waitForFrames(1);
    expect(open).toMatchObject({ type: FrameType.WindowUpdate, flags: Flag.SYN, streamId: 1, length: 768 * KIB });
    stream.write(Buffer.from('x'));
    const [, data] = await peer.waitForFrames(2);
    expect(data).toMatchObject({ type: FrameType.Data, flags: 0 });
  });

  it('with auto-tuning off, a bulk receive never sends a Ping and every update is exactly the consumed amount', async () => {
    const peer = new RawPeer({ mode: 'client', autoTuneWindow: false });
    const stream = await inboundStream(peer, Buffer.alloc(0));
    stream.write(Buffer.from('reply'));
    stream.resume();
    let credit = 256 * KIB;
    let sent = 0;
    // Play a 0.10 sender: send what the credit allows, wait for updates, four windows in all.
    while (sent < 1024 * KIB) {
      const n = Math.min(credit, 1024 * KIB - sent);
      if (n > 0) {
        peer.send(frame(FrameType.Data, 0, 2, Buffer.alloc(n)));
        credit -= n;
        sent += n;
      }
      const before = peer.frames().filter((f) => f.type === FrameType.WindowUpdate).length;
      if (sent < 1024 * KIB) {
        await until(
          () => peer.frames().filter((f) => f.type === FrameType.WindowUpdate).length > before,
          'a window update',
        );
        const updates = peer.frames().filter((f) => f.type === FrameType.WindowUpdate);
        credit += updates[updates.length - 1]?.length ?? 0;
      }
    }
    await peer.settle();
    const frames = peer.frames();
    expect(frames.some((f) => f.type === FrameType.Ping)).toBe(false);
    for (const update of frames.filter((f) => f.type === FrameType.WindowUpdate)) {
      expect(update.length).toBeGreaterThanOrEqual(128 * KIB);
      expect(update.length).toBeLessThanOrEqual(256 * KIB);
    }
  });
});

/**
 * A transport that records what the session hands it, one entry per buffer: each `_write` call
 * is one entry, and each buffer of a `_writev` call is an entry of its own (so a header and a
 * body queued as two writes show up as two entries however Node groups them). Writes complete on
 * the next turn of the event loop, as a socket's do.
 */
class RecordingSocket extends Duplex {
  readonly writes: Buffer[] = [];

  constructor() {
    super({ allowHalfOpen: true });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writes.push(Buffer.from(chunk));
    setImmediate(callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    for (const { chunk } of chunks) this.writes.push(Buffer.from(chunk));
    setImmediate(callback);
  }

  override _read(): void {
    // Nothing arrives from the peer in these tests.
  }
}

/** A client session over a recording transport. */
function recordedSession(options: { initialStreamWindow?: number } = {}): {
  session: Session;
  socket: RecordingSocket;
} {
  const socket = new RecordingSocket();
  const session = new Session(socket, { mode: 'client', ...options });
  return { session, socket };
}

/** True when `chunk` is whole frames back to back: no frame starts in it and ends in another. */
function wholeFrames(chunk: Buffer): boolean {
  const frames = parseFrames(chunk);
  return frames.length > 0 && frames.reduce((sum, f) => sum + f.bytes.length, 0) === chunk.length;
}

describe('wire behaviour: writes to the transport', () => {
  it("a Data frame's 12-byte header and its body go to the transport in one write (the reference writes two TLS records)", async () => {
    const { session, socket } = recordedSession();
    const stream = session.open();
    stream.on('error', () => undefined);
    stream.write(Buffer.from('hello'));
    await until(() => socket.writes.length > 0, 'the first write');
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writes).toHaveLength(1);
    const [only] = socket.writes;
    expect(only?.length).toBe(HEADER_LENGTH + 5);
    expect(parseFrames(only ?? Buffer.alloc(0))).toMatchObject([
      { type: FrameType.Data, flags: Flag.SYN, streamId: 1, length: 5 },
    ]);

    // Bulk: every write is whole frames, so no header is ever separated from its body.
    stream.write(Buffer.alloc(100 * KIB, 0x61));
    await until(
      () => socket.writes.reduce((sum, w) => sum + w.length, 0) >= HEADER_LENGTH + 5 + 100 * KIB,
      'the bulk data',
    );
    for (const chunk of socket.writes) expect(wholeFrames(chunk)).toBe(true);
    session.destroy();
  });

  it('small frames on three streams queued in one synchronous block share one write', async () => {
    const { session, socket } = recordedSession();
    const streams = [session.open(), session.open(), session.open()];
    for (const stream of streams) {
      stream.on('error', () => undefined);
      stream.write(Buffer.from(`stream ${stream.id}`));
    }
    await until(() => socket.writes.length > 0, 'the first write');
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writes).toHaveLength(1);
    const frames = parseFrames(socket.writes[0] ?? Buffer.alloc(0));
    expect(frames.map((f) => [f.type, f.flags, f.streamId, f.body.toString()])).toEqual([
      [FrameType.Data, Flag.SYN, 1, 'stream 1'],
      [FrameType.Data, Flag.SYN, 3, 'stream 3'],
      [FrameType.Data, Flag.SYN, 5, 'stream 5'],
    ]);
    expect(wholeFrames(socket.writes[0] ?? Buffer.alloc(0))).toBe(true);
    session.destroy();
  });

  it('a window update and a Data frame queued in the same tick share one write', async () => {
    // A window above 256 KiB is announced with a SYN WindowUpdate when the stream opens.
    const { session, socket } = recordedSession({ initialStreamWindow: 512 * KIB });
    const stream = session.open();
    stream.on('error', () => undefined);
    stream.write(Buffer.from('x'));
    await until(() => socket.writes.length > 0, 'the first write');
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(socket.writes).toHaveLength(1);
    expect(parseFrames(socket.writes[0] ?? Buffer.alloc(0))).toMatchObject([
      { type: FrameType.WindowUpdate, flags: Flag.SYN, streamId: 1, length: 256 * KIB },
      { type: FrameType.Data, flags: 0, streamId: 1, length: 1 },
    ]);
    session.destroy();
  });

  describe('TCP_NODELAY on a real TCP socket', () => {
    async function connectedPair(): Promise<{ client: Socket; accepted: Socket; close(): Promise<void> }> {
      const server = createServer();
      const acceptedP = once(server, 'connection') as Promise<[Socket]>;
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const client = new Socket();
      client.connect(port, '127.0.0.1');
      await once(client, 'connect');
      const [accepted] = await acceptedP;
      accepted.on('error', () => undefined);
      client.on('error', () => undefined);
      return {
        client,
        accepted,
        close: async () => {
          client.destroy();
          accepted.destroy();
          await new Promise((resolve) => server.close(resolve));
        },
      };
    }

    it('the session calls setNoDelay(true) on the socket it runs over (noDelay defaults to true)', async () => {
      const pair = await connectedPair();
      const spy = vi.spyOn(pair.client, 'setNoDelay');
      const session = new Session(pair.client, { mode: 'client' });
      expect(spy).toHaveBeenCalledWith(true);
      expect(spy.mock.contexts[0]).toBe(pair.client);
      session.destroy();
      await pair.close();
    });

    it('with noDelay: false the session leaves the socket option alone', async () => {
      const pair = await connectedPair();
      const spy = vi.spyOn(pair.accepted, 'setNoDelay');
      const session = new Session(pair.accepted, { mode: 'server', noDelay: false });
      expect(spy).not.toHaveBeenCalled();
      session.destroy();
      await pair.close();
    });
  });
});

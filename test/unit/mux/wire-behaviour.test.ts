/**
 * What our session puts on the wire toward a yamux 0.10.2 peer (PROTOCOL.md §2.3–2.7), checked
 * byte for byte against the `yamux_frame` vectors with a hand-driven peer.
 */
import { describe, expect, it } from 'vitest';
import { Flag, FrameType } from '../../../src/tunnel/mux/frame-header.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import { RawPeer, frame } from './support/raw-peer.js';
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
    stream.on('data', (chunk: Buffer) => { read += chunk.length; });
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
    for (const extra of peer.frames().slice(2)) expect(extra).toMatchObject({ type: FrameType.Ping, flags: Flag.SYN, streamId: 0 });
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
    peer.send(frame(FrameType.Ping, 0, 0, 0x2a), frame(FrameType.Ping, Flag.SYN, 0, 0x2a), frame(FrameType.Ping, 0, 2, 0x2a), frame(FrameType.Ping, 0, 4, 0x2a));
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
    const dataBytes = (): number => peer.frames().filter((f) => f.type === FrameType.Data).reduce((sum, f) => sum + f.body.length, 0);
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
        await until(() => peer.frames().filter((f) => f.type === FrameType.WindowUpdate).length > before, 'a window update');
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

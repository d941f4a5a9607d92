/**
 * Receive side: body pieces of one stream that share a socket chunk (separated only by the next
 * frame's header) reach the consumer as one buffer, with the bytes intact and in order, however
 * the frames are cut and the chunks split; pieces of different streams, or separated by any other
 * frame, are delivered separately and in order. Send side: Data frames end on 16 KiB TLS record
 * boundaries of a batch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Flag, FrameType, HEADER_LENGTH } from '../../../src/tunnel/mux/frame-header.js';
import { PieceJoiner } from '../../../src/tunnel/mux/piece-joiner.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import { RawPeer, frame } from './support/raw-peer.js';
import { nextStream, randomData, readAll, sessionPair, sha256, writeAll, openStream } from './support/session-pair.js';

function collector(): { onData(piece: Buffer): void; pieces: Buffer[] } {
  const pieces: Buffer[] = [];
  return { pieces, onData: (piece) => pieces.push(Buffer.from(piece)) };
}

describe('PieceJoiner', () => {
  for (const [a, b] of [
    [3, 10],
    [10, 3],
    [7, 7],
  ] as const) {
    it(`joins adjacent pieces of ${a} and ${b} bytes into one, bytes intact`, () => {
      const chunk = Buffer.concat([Buffer.alloc(a, 0x61), Buffer.alloc(HEADER_LENGTH, 0xff), Buffer.alloc(b, 0x62)]);
      const joiner = new PieceJoiner();
      const target = collector();
      joiner.add(target, chunk.subarray(0, a));
      joiner.add(target, chunk.subarray(a + HEADER_LENGTH));
      joiner.flush();
      expect(target.pieces).toEqual([Buffer.concat([Buffer.alloc(a, 0x61), Buffer.alloc(b, 0x62)])]);
    });
  }

  it('delivers pieces separately when they are not adjacent or belong to different targets', () => {
    const chunk = Buffer.from('aaaa____________bbbb__cccc');
    const joiner = new PieceJoiner();
    const first = collector();
    const second = collector();
    joiner.add(first, chunk.subarray(0, 4));
    joiner.add(first, chunk.subarray(22, 26)); // not exactly one header after the first
    joiner.add(second, chunk.subarray(16, 20));
    joiner.flush();
    expect(first.pieces.map(String)).toEqual(['aaaa', 'cccc']);
    expect(second.pieces.map(String)).toEqual(['bbbb']);
  });
});

describe('session: joined pieces', () => {
  it('delivers two streams intact whatever the frame sizes and the chunking (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }),
        async (frames, cuts) => {
          const peer = new RawPeer({ mode: 'server' });
          const inbound: MuxStream[] = [];
          peer.session.on('stream', (s) => inbound.push(s));
          const sent = [Buffer.alloc(0), Buffer.alloc(0)];
          const wire: Buffer[] = [
            frame(FrameType.WindowUpdate, Flag.SYN, 1, 0),
            frame(FrameType.WindowUpdate, Flag.SYN, 3, 0),
          ];
          for (const [second, length] of frames) {
            const body = randomData(length);
            const index = second ? 1 : 0;
            sent[index] = Buffer.concat([sent[index] ?? Buffer.alloc(0), body]);
            wire.push(frame(FrameType.Data, 0, second ? 3 : 1, body));
          }
          wire.push(frame(FrameType.Data, Flag.FIN, 1, 0), frame(FrameType.Data, Flag.FIN, 3, 0));
          const bytes = Buffer.concat(wire);
          // Split the byte stream at arbitrary points, each chunk a fresh buffer as a socket gives.
          let offset = 0;
          for (const cut of [...cuts, bytes.length]) {
            const end = Math.min(bytes.length, offset + cut);
            if (end > offset) peer.socket.write(Buffer.from(bytes.subarray(offset, end)));
            offset = end;
          }
          await peer.settle();
          const received = await Promise.all(inbound.map((s) => readAll(s)));
          expect(received.map(sha256)).toEqual(sent.map(sha256));
          peer.session.destroy();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a FIN right behind a held piece arrives after it', async () => {
    const peer = new RawPeer({ mode: 'server' });
    const accepted = nextStream(peer.session);
    const body = Buffer.from('hello');
    peer.send(frame(FrameType.Data, Flag.SYN, 1, body), frame(FrameType.Data, Flag.FIN, 1, Buffer.from(' world')));
    expect((await readAll(await accepted)).toString()).toBe('hello world');
    peer.session.destroy();
  });
});

describe('send side: frames end on TLS record boundaries', () => {
  it('after a short frame in the batch, the next Data frame ends on the 16 KiB boundary, then full frames follow', async () => {
    const peer = new RawPeer({ mode: 'client' });
    const stream = openStream(peer.session);
    // Two writes in one tick: a 100-byte Data frame, then 40,000 bytes, all in one batch.
    const short = randomData(100);
    const bulk = randomData(40_000);
    stream.write(short);
    stream.write(bulk);
    const frames = await peer.waitForFrames(4);
    const first = 16_384 - (HEADER_LENGTH + 100) - HEADER_LENGTH; // ends exactly on the first record boundary
    expect(frames.map((f) => f.type)).toEqual([FrameType.Data, FrameType.Data, FrameType.Data, FrameType.Data]);
    expect(frames.map((f) => f.body.length)).toEqual([
      100,
      first,
      16_384 - HEADER_LENGTH,
      40_000 - first - (16_384 - HEADER_LENGTH),
    ]);
    // The frames' ends, counted from the start of the batch, fall on 16 KiB boundaries.
    let end = 0;
    expect(frames.map((f) => (end += f.bytes.length))).toEqual([
      HEADER_LENGTH + 100,
      16_384,
      32_768,
      40_100 + 4 * HEADER_LENGTH,
    ]);
    expect(sha256(Buffer.concat(frames.map((f) => f.body)))).toBe(sha256(Buffer.concat([short, bulk])));
    peer.session.destroy();
  });

  it('a 200 KiB transfer through a session pair arrives intact', async () => {
    const { client, server } = sessionPair();
    const accepted = nextStream(server);
    const stream = openStream(client);
    const data = randomData(200 * 1024);
    const writing = writeAll(stream, data);
    const inbound = await accepted;
    const all = await readAll(inbound);
    await writing;
    expect(sha256(all)).toBe(sha256(data));
  });

  it('after a 12-byte frame in the batch, the first Data frame fills the rest of the 16 KiB record, the next ones whole records', async () => {
    // A window above 256 KiB is announced with a SYN WindowUpdate (12 bytes) before any data.
    const peer = new RawPeer({ mode: 'client', initialStreamWindow: 512 * 1024 });
    const stream = openStream(peer.session);
    stream.write(Buffer.alloc(40_000));
    const frames = await peer.waitForFrames(4);
    expect(frames[0]?.type).toBe(FrameType.WindowUpdate);
    expect(frames.slice(1).map((f) => f.body.length)).toEqual([
      16_384 - 2 * HEADER_LENGTH,
      16_384 - HEADER_LENGTH,
      40_000 - (16_384 - 2 * HEADER_LENGTH) - (16_384 - HEADER_LENGTH),
    ]);
    peer.session.destroy();
  });
});

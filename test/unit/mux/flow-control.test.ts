import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameType } from '../../../src/tunnel/mux/frame-header.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import { RawPeer, frame } from './support/raw-peer.js';
import {
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

describe('send side: credit', () => {
  it('uses exactly the credit the peer grants, never more, whatever the sequence of updates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300 * KIB }), { minLength: 1, maxLength: 6 }),
        async (grants) => {
          const peer = new RawPeer({ mode: 'client' });
          const stream = openStream(peer.session);
          const total = 1 * MIB;
          stream.write(Buffer.alloc(total));
          const sent = (): number =>
            peer.frames().reduce((sum, f) => sum + (f.type === FrameType.Data ? f.body.length : 0), 0);
          let credit = 256 * KIB;
          for (const grant of [...grants, 0]) {
            const expected = Math.min(credit, total);
            await until(() => sent() >= expected, `${expected} bytes sent`);
            await peer.settle(5);
            expect(sent()).toBe(expected);
            if (grant > 0) peer.send(frame(FrameType.WindowUpdate, 0, stream.id, grant));
            credit += grant;
          }
          peer.session.destroy();
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('receive side: credit comes back on every way of reading', () => {
  const consumers: Record<string, (stream: MuxStream) => Promise<Buffer>> = {
    "'data' events": readAll,
    "'readable' + read()": (stream) =>
      new Promise((resolve) => {
        const chunks: Buffer[] = [];
        stream.on('readable', () => {
          for (let chunk = stream.read() as Buffer | null; chunk !== null; chunk = stream.read() as Buffer | null)
            chunks.push(chunk);
        });
        stream.on('end', () => {
          resolve(Buffer.concat(chunks));
        });
      }),
    'for await': async (stream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    'pipe into a Writable': (stream) =>
      new Promise((resolve) => {
        const chunks: Buffer[] = [];
        const sink = new Writable({
          highWaterMark: 1024,
          write: (chunk: Buffer, _e, cb) => {
            chunks.push(chunk);
            setImmediate(cb);
          },
        });
        sink.on('finish', () => {
          resolve(Buffer.concat(chunks));
        });
        stream.pipe(sink);
      }),
  };
  for (const [style, consume] of Object.entries(consumers)) {
    it(`${style}: 2 MiB through fixed 256 KiB windows arrive intact`, async () => {
      const { client, server } = sessionPair({ server: { autoTuneWindow: false } });
      const accepted = nextStream(server);
      const data = randomData(2 * MIB);
      const writing = writeAll(openStream(client), data);
      const received = await consume(await accepted);
      await writing;
      expect(sha256(received)).toBe(sha256(data));
    });
  }
});

describe('receive side: window auto-tuning', () => {
  async function bulk(
    options: { autoTuneWindow: boolean; maxSessionWindowGrowth?: number },
    streams: number,
    bytes: number,
  ): Promise<{ windows: number[]; pings: boolean; intact: boolean }> {
    const { client, server } = sessionPair({ server: options });
    const inbound: MuxStream[] = [];
    let intact = true;
    const received = new Promise<void>((resolve) => {
      let done = 0;
      server.on('stream', (s) => {
        inbound.push(track(s));
        void readAll(s).then((all) => {
          if (all.length !== bytes) intact = false;
          done += 1;
          if (done === streams) resolve();
        });
      });
    });
    const data = randomData(bytes);
    await Promise.all(Array.from({ length: streams }, () => writeAll(openStream(client), data)));
    await received;
    const windows = inbound.map((s) => s.receiveWindow);
    const pings = server.rttMs !== undefined;
    await client.close();
    return { windows, pings, intact };
  }

  it('grows the receive window of a fast reader beyond 256 KiB, up to maxStreamWindow', async () => {
    const { windows, pings, intact } = await bulk({ autoTuneWindow: true }, 1, 32 * MIB);
    expect(intact).toBe(true);
    expect(pings).toBe(true);
    expect(windows[0]).toBeGreaterThan(256 * KIB);
    expect(windows[0]).toBeLessThanOrEqual(16 * MIB);
  });

  it('keeps the fixed 256 KiB window and never pings with auto-tuning off', async () => {
    const { windows, pings, intact } = await bulk({ autoTuneWindow: false }, 1, 8 * MIB);
    expect(intact).toBe(true);
    expect(pings).toBe(false);
    expect(windows).toEqual([256 * KIB]);
  });

  it('keeps the growth of all streams within the session budget', async () => {
    const { windows, intact } = await bulk({ autoTuneWindow: true, maxSessionWindowGrowth: 512 * KIB }, 4, 8 * MIB);
    expect(intact).toBe(true);
    const growth = windows.reduce((sum, w) => sum + (w - 256 * KIB), 0);
    expect(growth).toBeLessThanOrEqual(512 * KIB);
  });

  it('gives the budget back when streams close', async () => {
    const { client, server } = sessionPair({ server: { maxSessionWindowGrowth: 4 * MIB } });
    const accepted = nextStream(server);
    const data = randomData(16 * MIB);
    const writing = writeAll(openStream(client), data);
    const inbound = await accepted;
    const all = await readAll(inbound);
    await writing;
    expect(sha256(all)).toBe(sha256(data));
    expect(server.stats().windowGrowthBytes).toBeGreaterThan(0);
    inbound.end();
    await until(() => server.stats().openStreams === 0, 'the stream to close');
    expect(server.stats().windowGrowthBytes).toBe(0);
  });
});

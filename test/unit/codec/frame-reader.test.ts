import { PassThrough, Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FrameReader, encodeFrame } from '../../../src/tunnel/codec/index.js';

/** Lets every pending stream event and callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await nextTurn();
}

describe('FrameReader', () => {
  it('yields every frame in order and ends at a clean end of stream', async () => {
    const stream = new PassThrough();
    const frames = [Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(3, 3, 3)];
    stream.end(Buffer.concat(frames.map(encodeFrame)));
    const reader = new FrameReader(stream);
    const seen: Buffer[] = [];
    for await (const frame of reader) seen.push(frame);
    expect(seen).toEqual(frames.map((f) => Buffer.from(f)));
    expect(await reader.read()).toBeNull();
  });

  it('yields the complete frames, then fails with truncated when the stream ends inside one', async () => {
    const stream = new PassThrough();
    stream.end(Buffer.concat([encodeFrame(Uint8Array.of(1)), encodeFrame(Uint8Array.of(2, 2)).subarray(0, 5)]));
    const reader = new FrameReader(stream);
    const seen: Buffer[] = [];
    await expect(
      (async () => {
        for await (const frame of reader) seen.push(frame);
      })(),
    ).rejects.toMatchObject({ kind: 'truncated' });
    expect(seen).toEqual([Buffer.from([1])]);
    await expect(reader.read()).rejects.toMatchObject({ kind: 'truncated' });
  });

  it('serves overlapping read() calls in stream order', async () => {
    const stream = new PassThrough();
    const reader = new FrameReader(stream);
    const first = reader.read();
    const second = reader.read();
    const third = reader.read();
    stream.end(Buffer.concat([encodeFrame(Uint8Array.of(1)), encodeFrame(Uint8Array.of(2))]));
    expect(await Promise.all([first, second, third])).toEqual([Buffer.from([1]), Buffer.from([2]), null]);
  });

  it('does not read ahead while the consumer is busy: the source is paused by backpressure', async () => {
    const frame = encodeFrame(new Uint8Array(100));
    const total = 1000;
    let produced = 0;
    const source = new Readable({
      highWaterMark: 1024,
      read() {
        // Produces on demand only, like a socket whose reads are paused by a full buffer.
        if (produced === total) this.push(null);
        else {
          produced += 1;
          this.push(frame);
        }
      },
    });
    const reader = new FrameReader(source);
    expect(await reader.read()).toHaveLength(100);
    await settle(); // a consumer slow to ask for the next frame
    expect(produced).toBeLessThan(total / 10);
    expect(source.readableLength).toBeLessThanOrEqual(source.readableHighWaterMark + frame.length);

    let count = 1;
    for await (const body of reader) {
      expect(body).toHaveLength(100);
      count += 1;
    }
    expect(count).toBe(total);
  });
});

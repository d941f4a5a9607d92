import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { writeFrame } from '../../../src/tunnel/codec/index.js';
import { frameBodies } from './frame-bodies.js';

/** A sink that takes each chunk one event-loop turn later, like a socket with a slow peer. */
function slowSink(): { sink: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      setImmediate(callback);
    },
  });
  return { sink, chunks };
}

describe('writeFrame', () => {
  it('writes each frame (prefix and body) with a single write', async () => {
    const { sink, chunks } = slowSink();
    await writeFrame(sink, Uint8Array.of(9, 8, 7));
    await writeFrame(sink, new Uint8Array(0));
    expect(chunks.map((c) => c.toString('hex'))).toEqual(['00000003090807', '00000000']);
  });

  it('resolves only once the stream has taken the frame, so awaiting callers queue nothing', async () => {
    const { sink, chunks } = slowSink();
    const written = writeFrame(sink, new Uint8Array(1000));
    let done = false;
    void written.then(() => {
      done = true;
    });
    expect(sink.writableLength).toBe(1004);
    await written;
    expect(done).toBe(true);
    expect(sink.writableLength).toBe(0);
    for (let i = 0; i < 5; i += 1) {
      await writeFrame(sink, Uint8Array.of(i));
      expect(sink.writableLength).toBe(0);
    }
    expect(frameBodies(Buffer.concat(chunks))).toHaveLength(6);
  });

  it('rejects when the stream is destroyed or already ended', async () => {
    const { sink } = slowSink();
    sink.destroy();
    await nextTurn();
    await expect(writeFrame(sink, Uint8Array.of(1))).rejects.toThrow();

    const ended = slowSink().sink;
    ended.on('error', () => undefined);
    ended.end();
    await expect(writeFrame(ended, Uint8Array.of(1))).rejects.toThrow();
  });
});

import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FrameDecoder,
  MAX_FRAME_LENGTH,
  ProtocolError,
  decodeServerMessage,
  encodeFrame,
  readFrameLength,
} from '../../../src/tunnel/codec/index.js';

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

function prefix(length: number): Uint8Array {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(length);
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FrameDecoder', () => {
  it('returns the same bodies however the input is chunked', () => {
    const bodies = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });
    fc.assert(
      fc.property(bodies, fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
        const wire = Buffer.concat(frames.map(encodeFrame));
        const decoder = new FrameDecoder();
        const out = split(wire, cuts).flatMap((chunk) => decoder.push(chunk));
        decoder.end();
        expect(out.map((b) => Buffer.from(b).toString('hex'))).toEqual(
          frames.map((b) => Buffer.from(b).toString('hex')),
        );
        expect(decoder.atFrameBoundary).toBe(true);
      }),
    );
  });

  it('returns copies, so reusing an input chunk does not change a returned body', () => {
    const chunk = Buffer.from(encodeFrame(Uint8Array.of(1, 2, 3)));
    const [body] = new FrameDecoder().push(chunk);
    chunk.fill(0);
    expect(body).toEqual(Buffer.from([1, 2, 3]));
  });

  it('refuses a 0xffffffff prefix as soon as its 4 bytes are in, without allocating for the body', () => {
    const allocations: number[] = [];
    const record = (size: number): void => {
      allocations.push(size);
    };
    const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
    const alloc = Buffer.alloc.bind(Buffer);
    vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size) => {
      record(size);
      return allocUnsafe(size);
    });
    vi.spyOn(Buffer, 'alloc').mockImplementation((size, fill, encoding) => {
      record(size);
      return alloc(size, fill, encoding);
    });
    const decoder = new FrameDecoder();
    expect(decoder.push(Uint8Array.of(0xff, 0xff, 0xff))).toEqual([]);
    expect(() => decoder.push(Uint8Array.of(0xff))).toThrow(expect.objectContaining({ kind: 'frame-too-large' }));
    expect(Math.max(0, ...allocations)).toBeLessThan(64);
    expect(decoder.bufferedLength).toBe(0);
  });

  it('draws the limit at exactly 524288 bytes', () => {
    const atLimit = new FrameDecoder();
    expect(atLimit.push(prefix(MAX_FRAME_LENGTH))).toEqual([]);
    expect(atLimit.push(new Uint8Array(MAX_FRAME_LENGTH))).toHaveLength(1);
    expect(() => new FrameDecoder().push(prefix(MAX_FRAME_LENGTH + 1))).toThrow(
      expect.objectContaining({ kind: 'frame-too-large' }),
    );
  });

  it('keeps failing after a refused prefix (the stream position is lost)', () => {
    const decoder = new FrameDecoder();
    expect(() => decoder.push(prefix(MAX_FRAME_LENGTH + 1))).toThrow(ProtocolError);
    expect(() => decoder.push(encodeFrame(Uint8Array.of(1)))).toThrow(
      expect.objectContaining({ kind: 'frame-too-large' }),
    );
    expect(() => {
      decoder.end();
    }).toThrow(expect.objectContaining({ kind: 'frame-too-large' }));
  });

  it('holds at most one partial frame between calls', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 2000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cuts) => {
          const decoder = new FrameDecoder({ maxLength: 2000 });
          for (const chunk of split(Buffer.concat(frames.map(encodeFrame)), cuts)) {
            decoder.push(chunk);
            expect(decoder.bufferedLength).toBeLessThan(4 + 2000);
          }
        },
      ),
    );
  });

  it('passes a zero-length frame through; decoding it then fails as empty', () => {
    const [body] = new FrameDecoder().push(prefix(0));
    expect(body).toHaveLength(0);
    expect(() => decodeServerMessage(body ?? new Uint8Array(1))).toThrow(expect.objectContaining({ kind: 'empty' }));
  });

  it('accepts end of input on a frame boundary and reports truncation inside a prefix or a body', () => {
    const clean = new FrameDecoder();
    clean.push(encodeFrame(Uint8Array.of(7)));
    expect(() => {
      clean.end();
    }).not.toThrow();

    const inPrefix = new FrameDecoder();
    inPrefix.push(Uint8Array.of(0, 0));
    expect(() => {
      inPrefix.end();
    }).toThrow(expect.objectContaining({ kind: 'truncated', message: expect.stringContaining('prefix') as unknown }));

    const inBody = new FrameDecoder();
    inBody.push(encodeFrame(Uint8Array.of(1, 2, 3)).subarray(0, 6));
    expect(() => {
      inBody.end();
    }).toThrow(expect.objectContaining({ kind: 'truncated', message: expect.stringContaining('2 of 3') as unknown }));

    const afterPrefix = new FrameDecoder();
    afterPrefix.push(prefix(5));
    expect(() => {
      afterPrefix.end();
    }).toThrow(expect.objectContaining({ kind: 'truncated' }));
  });

  it('exposes the prefix check for callers that read prefixes themselves', () => {
    expect(readFrameLength(prefix(MAX_FRAME_LENGTH))).toBe(MAX_FRAME_LENGTH);
    expect(() => readFrameLength(prefix(11), 10)).toThrow(expect.objectContaining({ kind: 'frame-too-large' }));
    expect(() => readFrameLength(Uint8Array.of(0, 0, 1))).toThrow(RangeError);
  });
});

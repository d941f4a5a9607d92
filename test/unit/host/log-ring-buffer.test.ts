/**
 * The host's log buffer: newest records in order, filters, listeners — and its bounds: at most
 * `capacity` records and at most its byte budget (estimated heap, log-record-size.ts), however
 * long the fields a gateway makes the engine log; the heap it really holds is measured too.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logRecordBytes } from '../../../src/host/log-record-size.js';
import { DEFAULT_LOG_MAX_BYTES, LogRingBuffer } from '../../../src/host/log-ring-buffer.js';
import type { LogLevel } from '../../../src/shared/log-record.js';

function record(message: string, level: LogLevel = 'info', fields: Record<string, string> = {}) {
  return { time: 1, level, module: 'cluvio_agent::agent', message, fields };
}

describe('LogRingBuffer', () => {
  it('keeps only the newest records once full, in order, with one increasing sequence', () => {
    const buffer = new LogRingBuffer(3);
    for (const n of [1, 2, 3, 4, 5]) buffer.push(record(`line ${n}`));
    const all = buffer.query({ level: 'trace', text: '' });
    expect(all.map((r) => r.message)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(all.map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(buffer.size).toBe(3);
  });

  it('filters by level and by text in message, module or fields, and returns the newest matches up to the limit', () => {
    const buffer = new LogRingBuffer(100);
    buffer.push(record('connecting', 'info', { server: 'gw.example.com' }));
    buffer.push(record('frame sent', 'debug'));
    buffer.push(record('connection refused', 'warn', { target: 'db.internal:5432' }));
    buffer.push(record('stream opened', 'info', { target: 'db.internal:5432' }));

    expect(buffer.query({ level: 'info', text: '' }).map((r) => r.message)).toEqual([
      'connecting',
      'connection refused',
      'stream opened',
    ]);
    expect(buffer.query({ level: 'warn', text: '' }).map((r) => r.message)).toEqual(['connection refused']);
    expect(buffer.query({ level: 'trace', text: 'DB.INTERNAL' }).map((r) => r.message)).toEqual([
      'connection refused',
      'stream opened',
    ]);
    expect(buffer.query({ level: 'trace', text: 'gw.example' }).map((r) => r.message)).toEqual(['connecting']);
    expect(buffer.query({ level: 'trace', text: '', limit: 2 }).map((r) => r.message)).toEqual([
      'connection refused',
      'stream opened',
    ]);
  });

  it('tells listeners about each stored record until they unsubscribe', () => {
    const buffer = new LogRingBuffer(10);
    const seen: number[] = [];
    const stop = buffer.onPush((r) => seen.push(r.seq));
    buffer.push(record('a'));
    buffer.push(record('b'));
    stop();
    buffer.push(record('c'));
    expect(seen).toEqual([1, 2]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LogRingBuffer(0)).toThrow(RangeError);
  });
});

describe('LogRingBuffer byte bound', () => {
  /** A fresh, flat string of `length` characters (not a view of another one). */
  const longText = (length: number, seed: number): string => Buffer.alloc(length, 97 + (seed % 26)).toString('latin1');

  it('holds at most its byte budget, however long the fields; long fields keep a head and say their length', () => {
    const buffer = new LogRingBuffer(5000, { maxBytes: 1024 * 1024, maxRecordBytes: 32 * 1024 });
    for (let i = 0; i < 500; i += 1) {
      const stored = buffer.push(
        record('address not allowed', 'warn', { target: `${longText(100_000 + i, i)}:5432`, reason: 'refused' }),
      );
      expect(logRecordBytes(stored)).toBeLessThanOrEqual(32 * 1024);
      expect(buffer.bytes).toBeLessThanOrEqual(1024 * 1024);
    }
    const kept = buffer.query({ level: 'trace', text: '' });
    // Each record cut to at most 32 KiB (its four strings share it): a few dozen fit, the newest.
    expect(kept.length).toBeGreaterThanOrEqual(32);
    expect(kept.length).toBeLessThan(200);
    expect(kept.at(-1)?.seq).toBe(500);
    expect(buffer.bytes).toBe(kept.reduce((sum, r) => sum + logRecordBytes(r), 0));
    const target = String(kept.at(-1)?.fields.target);
    expect(target).toMatch(/^f+…\[100504 characters\]$/);
    expect(kept.at(-1)?.fields.reason).toBe('refused');
    expect(kept.at(-1)?.message).toBe('address not allowed');
  });

  it('ordinary records are stored as they are: 5,000 of them fit the default budget', () => {
    const buffer = new LogRingBuffer();
    for (let i = 0; i < 6000; i += 1)
      buffer.push(record(`stream ${i} opened`, 'info', { target: 'db.internal:5432', stream: String(i) }));
    expect(buffer.size).toBe(5000);
    expect(buffer.bytes).toBeLessThan(DEFAULT_LOG_MAX_BYTES / 2);
    expect(buffer.query({ level: 'trace', text: '', limit: 1 })[0]?.fields).toEqual({
      target: 'db.internal:5432',
      stream: '5999',
    });
  });

  it('any sequence of records, with any number and size of fields, stays within both bounds (generated)', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.nat({ max: 300_000 }).map((n) => longText(n, n)),
    );
    const anyRecord = fc.record({
      message: text,
      module: text,
      fields: fc.dictionary(
        fc.string({ maxLength: 80 }),
        fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)),
        {
          maxKeys: 60,
        },
      ),
    });
    fc.assert(
      fc.property(fc.array(anyRecord, { maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (records, capacity) => {
        const buffer = new LogRingBuffer(capacity, { maxBytes: 64 * 1024, maxRecordBytes: 16 * 1024 });
        for (const r of records) {
          const stored = buffer.push({ time: 1, level: 'info', ...r });
          expect(logRecordBytes(stored)).toBeLessThanOrEqual(16 * 1024);
          expect(buffer.bytes).toBeLessThanOrEqual(64 * 1024);
          expect(buffer.size).toBeLessThanOrEqual(capacity);
        }
        const kept = buffer.query({ level: 'trace', text: '' });
        expect(buffer.bytes).toBe(kept.reduce((sum, r) => sum + logRecordBytes(r), 0));
      }),
      { numRuns: 200, seed: 1616, endOnFailure: true },
    );
  });

  it('the heap it holds is what it counts: 1,000 records with 256 KiB fields (and slices of them) leave < 32 MiB behind', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const buffer = new LogRingBuffer();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1000; i += 1) {
      const target = `${longText(256 * 1024, i)}.example.com:5432`;
      // A field cut out of the long name (a V8 view of it) must not keep the long name alive.
      const host = /^(.*):\d+$/.exec(target)?.[1]?.slice(-40) ?? '';
      buffer.push(record('address not allowed', 'warn', { target, host }));
    }
    gc();
    const held = process.memoryUsage().heapUsed - before;
    // Kept whole (or through views), the 1,000 names would hold 256 MiB; the budget is 8 MiB.
    expect(buffer.bytes).toBeLessThanOrEqual(DEFAULT_LOG_MAX_BYTES);
    expect(held).toBeLessThan(32 * 1024 * 1024);
    expect(buffer.size).toBeGreaterThan(400); // about 16.5 KiB each once cut: the newest ~500 fit
  });
});

import { describe, expect, it } from 'vitest';
import { LogRingBuffer } from '../../../src/host/log-ring-buffer.js';
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

import { describe, expect, it } from 'vitest';
import { appendLogRecords, MAX_TAIL } from '../../../src/renderer/log-tail.js';
import type { LogRecord } from '../../../src/shared/log-record.js';

const rec = (seq: number): LogRecord => ({
  seq,
  time: seq,
  level: 'info',
  module: 'm',
  message: `#${seq}`,
  fields: {},
});

describe('log tail', () => {
  it('appends newer batches, merges overlapping ones without duplicates, in sequence order', () => {
    const tail = appendLogRecords([rec(1), rec(2)], [rec(3)]);
    expect(tail.map((r) => r.seq)).toEqual([1, 2, 3]);
    // The initial fetch can overlap what the subscription already delivered.
    expect(appendLogRecords([rec(1), rec(2), rec(3)], [rec(2), rec(3), rec(4)]).map((r) => r.seq)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('keeps at most the newest MAX_TAIL records', () => {
    const many = Array.from({ length: MAX_TAIL + 10 }, (_, i) => rec(i + 1));
    const tail = appendLogRecords([], many);
    expect(tail).toHaveLength(MAX_TAIL);
    expect(tail[0]?.seq).toBe(11);
  });
});

import { describe, expect, it } from 'vitest';
import { StreamRowBuilder } from '../../../src/renderer/stream-rows.js';
import type { StreamInfo } from '../../../src/shared/agent-state.js';

const stream = (id: number, over: Partial<StreamInfo> = {}): StreamInfo => ({
  id,
  connection: 1,
  draining: false,
  target: `db${id}.internal:5432`,
  resolved: '10.0.0.5:5432',
  halfClose: false,
  phase: 'open',
  bytesToTarget: 0,
  bytesFromTarget: 0,
  openedAt: 1000 + id,
  closedAt: null,
  error: null,
  errorCode: null,
  messageId: `00000000000000${String(id).padStart(2, '0')}`,
  ...over,
});

describe('stream table rows', () => {
  it('computes each stream’s current rate from the bytes it moved since an earlier table', () => {
    const builder = new StreamRowBuilder();
    builder.rows([stream(2, { bytesToTarget: 100, bytesFromTarget: 1000 })], 10_000);
    const [row] = builder.rows([stream(2, { bytesToTarget: 600, bytesFromTarget: 6000 })], 10_500);
    expect(row?.rate).toEqual({ toTarget: 1000, fromTarget: 10_000 });
  });

  it('reads a stream that stopped moving as zero once its window passed, and a new stream as zero', () => {
    const builder = new StreamRowBuilder();
    builder.rows([stream(2, { bytesFromTarget: 1000 })], 0);
    builder.rows([stream(2, { bytesFromTarget: 2000 })], 500);
    const rows = builder.rows([stream(2, { bytesFromTarget: 2000 }), stream(4)], 2000);
    expect(rows.map((r) => r.rate.fromTarget)).toEqual([0, 0]);
  });

  it('keys streams by connection and id (ids restart on a new connection) and lists live ones first, newest first', () => {
    const builder = new StreamRowBuilder();
    const rows = builder.rows(
      [stream(2, { phase: 'closed', closedAt: 5000 }), stream(2, { connection: 2, openedAt: 3000 }), stream(4)],
      6000,
    );
    expect(rows.map((r) => r.key)).toEqual(['2/2', '1/4', '1/2']);
  });
});

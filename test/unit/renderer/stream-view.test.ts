import { describe, expect, it } from 'vitest';
import type { StreamInfo } from '../../../src/shared/agent-state.js';
import type { StreamRow } from '../../../src/renderer/stream-rows.js';
import {
  DEFAULT_STREAM_FILTER,
  filterStreams,
  sortStreams,
  streamIdLabel,
  streamLogSearch,
  streamStateLabel,
  streamTotals,
} from '../../../src/renderer/stream-view.js';

const info = (id: number, over: Partial<StreamInfo> = {}): StreamInfo => ({
  id,
  connection: 1,
  draining: false,
  target: `db${id}.internal:5432`,
  resolved: `10.0.0.${id}:5432`,
  halfClose: false,
  phase: 'open',
  bytesToTarget: id * 10,
  bytesFromTarget: id * 100,
  openedAt: 1_000 * id,
  closedAt: null,
  error: null,
  errorCode: null,
  messageId: `m${id}`,
  ...over,
});
const row = (stream: StreamInfo, toTarget = 0, fromTarget = 0): StreamRow => ({
  key: `${stream.connection}/${stream.id}`,
  info: stream,
  rate: { toTarget, fromTarget },
});

const rows = [
  row(info(2), 100, 1_000),
  row(info(4, { target: 'warehouse:5432', resolved: '10.9.9.9:5432' }), 50, 0),
  row(info(6, { phase: 'closed', closedAt: 9_000, error: 'could not connect: refused', errorCode: 'ECONNREFUSED' })),
  row(
    info(8, { phase: 'closed', closedAt: 9_500, target: '10.1.1.1:22', resolved: null, error: 'address not allowed' }),
  ),
  row(info(10, { phase: 'closed', closedAt: 12_000 })),
];
const ids = (list: readonly StreamRow[]): number[] => list.map((r) => r.info.id);

describe('the Streams view', () => {
  it('totals: open streams, their summed rates, the closed and the failed', () => {
    expect(streamTotals(rows)).toEqual({ open: 2, closed: 3, failed: 2, toTargets: 150, fromTargets: 1_000 });
  });

  it('filters by a part of the target or the resolved address, by state, and to the failed ones', () => {
    expect(ids(filterStreams(rows, { ...DEFAULT_STREAM_FILTER, target: 'WAREHOUSE' }))).toEqual([4]);
    expect(ids(filterStreams(rows, { ...DEFAULT_STREAM_FILTER, target: '10.9.9' }))).toEqual([4]);
    expect(ids(filterStreams(rows, { ...DEFAULT_STREAM_FILTER, state: 'live' }))).toEqual([2, 4]);
    expect(ids(filterStreams(rows, { ...DEFAULT_STREAM_FILTER, state: 'closed' }))).toEqual([6, 8, 10]);
    expect(ids(filterStreams(rows, { ...DEFAULT_STREAM_FILTER, onlyFailed: true }))).toEqual([6, 8]);
    expect(ids(filterStreams(rows, { target: '5432', state: 'closed', onlyFailed: true }))).toEqual([6]);
  });

  it('sorts by a column either way; ties keep the incoming order; the default order is the incoming one', () => {
    expect(ids(sortStreams(rows, { key: 'opened', descending: true }, 20_000))).toEqual([2, 4, 6, 8, 10]);
    expect(ids(sortStreams(rows, { key: 'target', descending: false }, 20_000))).toEqual([8, 10, 2, 6, 4]);
    expect(ids(sortStreams(rows, { key: 'target', descending: true }, 20_000))).toEqual([4, 6, 2, 10, 8]);
    expect(ids(sortStreams(rows, { key: 'fromTarget', descending: true }, 20_000))).toEqual([10, 8, 6, 4, 2]);
    expect(ids(sortStreams(rows, { key: 'rate', descending: true }, 20_000))).toEqual([2, 4, 6, 8, 10]);
    // Open and connecting first, the failed last.
    expect(ids(sortStreams(rows, { key: 'state', descending: false }, 20_000))).toEqual([2, 4, 10, 6, 8]);
    // Duration: a live stream's runs until now.
    expect(ids(sortStreams(rows, { key: 'duration', descending: true }, 20_000))).toEqual([2, 4, 6, 10, 8]);
  });

  it('names states in words, shows the connection in ids only when there were several, and finds a stream’s log lines', () => {
    expect(rows.map((r) => streamStateLabel(r.info))).toEqual(['Open', 'Open', 'Failed', 'Failed', 'Closed']);
    expect(streamStateLabel(info(1, { phase: 'remote-closed' }))).toBe('Half-closed');
    expect(streamIdLabel(info(4, { connection: 3 }), 1)).toBe('4');
    expect(streamIdLabel(info(4, { connection: 3 }), 2)).toBe('3·4');
    expect(streamLogSearch(info(6))).toBe('m6');
    expect(streamLogSearch(info(8, { target: '10.1.1.1:22', error: 'address not allowed' }))).toBe('10.1.1.1:22');
  });
});

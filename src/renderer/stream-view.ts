/**
 * The Streams view's table as the user arranged it: filtered by target text, by state and to the
 * failed ones, sorted by a column, with the totals above it. No DOM: unit-tested under Node.
 */
import type { StreamInfo } from '../shared/agent-state.js';
import type { StreamRow } from './stream-rows.js';

export const STREAM_STATES = ['all', 'live', 'closed'] as const;
export type StreamStateFilter = (typeof STREAM_STATES)[number];

export const STREAM_STATE_LABELS: Readonly<Record<StreamStateFilter, string>> = {
  all: 'All',
  live: 'Open',
  closed: 'Closed',
};

export const STREAM_SORT_KEYS = ['opened', 'target', 'toTarget', 'fromTarget', 'duration', 'rate', 'state'] as const;
export type StreamSortKey = (typeof STREAM_SORT_KEYS)[number];

export interface StreamSort {
  readonly key: StreamSortKey;
  readonly descending: boolean;
}

export interface StreamFilter {
  /** Case-insensitive part of the target or of the address it resolved to. */
  readonly target: string;
  readonly state: StreamStateFilter;
  readonly onlyFailed: boolean;
}

/** The default order: live streams first, newest first (as the rows come). */
export const DEFAULT_STREAM_SORT: StreamSort = { key: 'opened', descending: true };
export const DEFAULT_STREAM_FILTER: StreamFilter = { target: '', state: 'all', onlyFailed: false };

export function isFailed(info: StreamInfo): boolean {
  return info.error !== null;
}

/** A stream's state in words: `Connecting`, `Open`, `Half-closed`, `Closed` or `Failed`. */
export function streamStateLabel(info: StreamInfo): string {
  if (isFailed(info)) return 'Failed';
  switch (info.phase) {
    case 'connecting':
      return 'Connecting';
    case 'open':
      return 'Open';
    case 'remote-closed':
    case 'local-closed':
      return 'Half-closed';
    case 'closed':
      return 'Closed';
  }
}

/** Its id as shown: the yamux stream id, with the gateway connection when there have been several. */
export function streamIdLabel(info: StreamInfo, connections: number): string {
  return connections > 1 ? `${info.connection}·${info.id}` : String(info.id);
}

/**
 * What the Logs view searches for to show a stream's lines: the id its lines carry (the Connect
 * message's). A stream the allowlist refused has one line, without that id (as the reference's
 * `address not allowed address=…`), so its target is searched instead.
 */
export function streamLogSearch(info: StreamInfo): string {
  return info.error === 'address not allowed' ? info.target : info.messageId;
}

export function filterStreams(rows: readonly StreamRow[], filter: StreamFilter): StreamRow[] {
  const needle = filter.target.trim().toLowerCase();
  return rows.filter(({ info }) => {
    if (filter.onlyFailed && !isFailed(info)) return false;
    if (filter.state === 'live' && info.phase === 'closed') return false;
    if (filter.state === 'closed' && info.phase !== 'closed') return false;
    if (needle === '') return true;
    return info.target.toLowerCase().includes(needle) || (info.resolved ?? '').toLowerCase().includes(needle);
  });
}

const STATE_ORDER = ['connecting', 'open', 'remote-closed', 'local-closed', 'closed'];

function sortValue(row: StreamRow, key: StreamSortKey, now: number): number | string {
  const { info, rate } = row;
  switch (key) {
    case 'opened':
      return info.openedAt;
    case 'target':
      return info.target;
    case 'toTarget':
      return info.bytesToTarget;
    case 'fromTarget':
      return info.bytesFromTarget;
    case 'duration':
      return (info.closedAt ?? now) - info.openedAt;
    case 'rate':
      return rate.toTarget + rate.fromTarget;
    case 'state':
      return isFailed(info) ? STATE_ORDER.length : STATE_ORDER.indexOf(info.phase);
  }
}

/**
 * Sorted by `sort` (ties keep the incoming order: live first, newest first). The default order
 * is the incoming one.
 */
export function sortStreams(rows: readonly StreamRow[], sort: StreamSort, now: number): StreamRow[] {
  if (sort.key === 'opened' && sort.descending) return [...rows];
  const direction = sort.descending ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index, value: sortValue(row, sort.key, now) }))
    .sort((a, b) => {
      const order =
        typeof a.value === 'string' && typeof b.value === 'string'
          ? a.value.localeCompare(b.value)
          : Number(a.value) - Number(b.value);
      return order * direction || a.index - b.index;
    })
    .map(({ row }) => row);
}

export interface StreamTotals {
  readonly open: number;
  readonly closed: number;
  readonly failed: number;
  /** Bytes per second, summed over the open streams. */
  readonly toTargets: number;
  readonly fromTargets: number;
}

export function streamTotals(rows: readonly StreamRow[]): StreamTotals {
  let open = 0;
  let failed = 0;
  let toTargets = 0;
  let fromTargets = 0;
  for (const { info, rate } of rows) {
    if (isFailed(info)) failed += 1;
    if (info.phase === 'closed') continue;
    open += 1;
    toTargets += rate.toTarget;
    fromTargets += rate.fromTarget;
  }
  return { open, closed: rows.length - open, failed, toTargets, fromTargets };
}

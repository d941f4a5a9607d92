import { type KeyboardEvent, memo, type ReactElement, useId, useMemo, useRef, useState } from 'react';
import type { StreamInfo } from '../../shared/agent-state.js';
import { explainStreamFailure } from '../../shared/connection-fixes.js';
import { formatBytes, formatDateTime, formatDuration, formatRate } from '../format.js';
import { usePreference } from '../hooks/use-preference.js';
import { useStreams } from '../hooks/use-streams.js';
import { useVirtualRows } from '../hooks/use-virtual-rows.js';
import type { StreamRow } from '../stream-rows.js';
import {
  DEFAULT_STREAM_FILTER,
  DEFAULT_STREAM_SORT,
  filterStreams,
  isFailed,
  sortStreams,
  STREAM_SORT_KEYS,
  STREAM_STATE_LABELS,
  STREAM_STATES,
  type StreamFilter,
  type StreamSort,
  type StreamSortKey,
  streamIdLabel,
  streamStateLabel,
  streamTotals,
} from '../stream-view.js';
import { boundedString, oneOf } from '../ui-preferences.js';

/** A total rate, zero included (`0 B/s`). */
function rateText(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? formatRate(bytesPerSecond) : '0 B/s';
}

/** Fixed row height (matches `.streams td` in the stylesheet): lets only visible rows render. */
const ROW_HEIGHT = 30;

const COLUMNS: readonly { readonly key: StreamSortKey; readonly label: string; readonly className: string }[] = [
  { key: 'opened', label: 'Id', className: 'col-id' },
  { key: 'target', label: 'Target', className: 'col-target' },
  { key: 'toTarget', label: '↑ Sent', className: 'num col-bytes' },
  { key: 'fromTarget', label: '↓ Received', className: 'num col-bytes' },
  { key: 'duration', label: 'Duration', className: 'num col-duration' },
  { key: 'rate', label: 'Rate now', className: 'num col-rate' },
  { key: 'state', label: 'State', className: 'col-state' },
];

function acceptFilter(raw: unknown): StreamFilter | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const value = raw as Record<string, unknown>;
  const target = boundedString(value.target, 200);
  const state = oneOf(value.state, STREAM_STATES);
  if (target === null || state === null || typeof value.onlyFailed !== 'boolean') return null;
  return { target, state, onlyFailed: value.onlyFailed };
}

function acceptSort(raw: unknown): StreamSort | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const value = raw as Record<string, unknown>;
  const key = oneOf(value.key, STREAM_SORT_KEYS);
  return key === null || typeof value.descending !== 'boolean' ? null : { key, descending: value.descending };
}

const Row = memo(function Row({
  row,
  now,
  idLabel,
  selected,
  onSelect,
  onShowLogs,
}: {
  readonly row: StreamRow;
  readonly now: number;
  readonly idLabel: string;
  readonly selected: boolean;
  readonly onSelect: (key: string) => void;
  readonly onShowLogs: (stream: StreamInfo) => void;
}) {
  const { info, rate } = row;
  const failed = isFailed(info);
  return (
    <tr
      className={`stream-${info.phase}${failed ? ' stream-failed' : ''}${selected ? ' stream-selected' : ''}`}
      data-testid="stream-row"
      data-failed={failed}
      aria-selected={selected}
      onClick={() => {
        onSelect(row.key);
      }}
      onFocus={() => {
        onSelect(row.key);
      }}
    >
      <td className="col-id">
        <button
          type="button"
          className="link-button"
          aria-label={`Stream ${idLabel} to ${info.target}: show its log lines`}
          onClick={() => {
            onShowLogs(info);
          }}
        >
          {idLabel}
        </button>
      </td>
      <td className="col-target" title={info.target}>
        {info.target}
      </td>
      <td className="num col-bytes">{formatBytes(info.bytesToTarget)}</td>
      <td className="num col-bytes">{formatBytes(info.bytesFromTarget)}</td>
      <td className="num col-duration">{formatDuration((info.closedAt ?? now) - info.openedAt)}</td>
      <td className="num col-rate">
        {info.phase === 'closed' ? '–' : `↑ ${formatRate(rate.toTarget)} ↓ ${formatRate(rate.fromTarget)}`}
      </td>
      <td className="col-state">{failed ? <span className="state-failed">Failed</span> : streamStateLabel(info)}</td>
    </tr>
  );
});

/** The selected stream in full: its target, where it went, and for a failed one why and what to do. */
function StreamDetails({
  row,
  now,
  idLabel,
  onShowLogs,
}: {
  readonly row: StreamRow;
  readonly now: number;
  readonly idLabel: string;
  readonly onShowLogs: (stream: StreamInfo) => void;
}): ReactElement {
  const { info } = row;
  const explained = info.error === null ? null : explainStreamFailure(info.error, info.errorCode, info.target);
  return (
    <section
      className={`stream-details${info.error === null ? '' : ' stream-details-failed'}`}
      aria-label={`Stream ${idLabel}`}
      data-testid="stream-details"
    >
      <dl className="facts">
        <dt>Stream</dt>
        <dd>
          {idLabel} (log id <code>{info.messageId}</code>){' '}
          <button
            type="button"
            className="button small"
            onClick={() => {
              onShowLogs(info);
            }}
          >
            Show its log lines
          </button>
        </dd>
        <dt>Target</dt>
        <dd data-testid="stream-details-target">
          <code>{info.target}</code>
          {info.resolved === null ? '' : ` → ${info.resolved}`}
        </dd>
        <dt>State</dt>
        <dd>
          {streamStateLabel(info)}, opened {formatDateTime(info.openedAt)},{' '}
          {formatDuration((info.closedAt ?? now) - info.openedAt)}
          {info.draining ? ' (on a connection being replaced)' : ''}
        </dd>
        <dt>Transferred</dt>
        <dd>
          {formatBytes(info.bytesToTarget)} to the database, {formatBytes(info.bytesFromTarget)} from it
        </dd>
        {info.error === null ? null : (
          <>
            <dt>Error</dt>
            <dd data-testid="stream-error">
              {explained === null
                ? info.error
                : info.error === 'address not allowed'
                  ? explained.cause
                  : `${explained.cause} (${info.error})`}
            </dd>
            {explained === null ? null : (
              <>
                <dt>Fix</dt>
                <dd data-testid="stream-fix">{explained.fix}</dd>
              </>
            )}
          </>
        )}
      </dl>
    </section>
  );
}

export function StreamsView({ onShowLogs }: { readonly onShowLogs: (stream: StreamInfo) => void }): ReactElement {
  const { rows, now } = useStreams();
  const [filter, setFilter] = usePreference('streams.filter', DEFAULT_STREAM_FILTER, acceptFilter);
  const [sort, setSort] = usePreference('streams.sort', DEFAULT_STREAM_SORT, acceptSort);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const ids = { target: useId(), state: useId(), failed: useId() };

  const shown = useMemo(() => sortStreams(filterStreams(rows, filter), sort, now), [rows, filter, sort, now]);
  const totals = useMemo(() => streamTotals(rows), [rows]);
  const connections = useMemo(() => new Set(rows.map((row) => row.info.connection)).size, [rows]);
  const selected = shown.find((row) => row.key === selectedKey) ?? (filter.onlyFailed ? shown[0] : undefined) ?? null;

  const scroller = useRef<HTMLDivElement>(null);
  const visible = useVirtualRows(scroller, shown.length, ROW_HEIGHT);

  const sortBy = (key: StreamSortKey): void => {
    setSort(
      sort.key === key
        ? { key, descending: !sort.descending }
        : { key, descending: key === 'opened' || key === 'rate' || key === 'toTarget' || key === 'fromTarget' },
    );
  };

  // Up and down move the selection through the rows (and the focus with it, to the row's id).
  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const index = shown.findIndex((row) => row.key === selected?.key);
    const next = shown[Math.max(0, Math.min(shown.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (next === undefined) return;
    event.preventDefault();
    setSelectedKey(next.key);
    const element = scroller.current;
    if (element === null) return;
    const position = shown.indexOf(next) * ROW_HEIGHT;
    if (position < element.scrollTop) element.scrollTop = position;
    else if (position + ROW_HEIGHT * 2 > element.scrollTop + element.clientHeight)
      element.scrollTop = position + ROW_HEIGHT * 2 - element.clientHeight;
    requestAnimationFrame(() => {
      element.querySelector<HTMLButtonElement>('tr[aria-selected="true"] button')?.focus();
    });
  };

  return (
    <section aria-labelledby="streams-heading" className="view view-fill">
      <h2 id="streams-heading">Streams</h2>
      <p role="status" className="streams-totals" data-testid="streams-summary">
        <span data-testid="streams-open">
          <strong>{totals.open}</strong> open
        </span>
        <span data-testid="streams-rate-up">↑ {rateText(totals.toTargets)} sent to databases</span>
        <span data-testid="streams-rate-down">↓ {rateText(totals.fromTargets)} received from databases</span>
        <span data-testid="streams-closed">{totals.closed} recently closed</span>
        {totals.failed > 0 ? (
          <span className="text-error" data-testid="streams-failed">
            {totals.failed} failed
          </span>
        ) : null}
      </p>
      <div className="toolbar" role="group" aria-label="Filter streams">
        <label htmlFor={ids.target}>Target</label>
        <input
          id={ids.target}
          type="search"
          value={filter.target}
          placeholder="host, address or port"
          onChange={(event) => {
            setFilter({ ...filter, target: event.target.value });
          }}
        />
        <label htmlFor={ids.state}>State</label>
        <select
          id={ids.state}
          value={filter.state}
          onChange={(event) => {
            setFilter({ ...filter, state: oneOf(event.target.value, STREAM_STATES) ?? 'all' });
          }}
        >
          {STREAM_STATES.map((state) => (
            <option key={state} value={state}>
              {STREAM_STATE_LABELS[state]}
            </option>
          ))}
        </select>
        <label className="checkbox">
          <input
            id={ids.failed}
            type="checkbox"
            checked={filter.onlyFailed}
            onChange={(event) => {
              setFilter({ ...filter, onlyFailed: event.target.checked });
            }}
          />
          Only failed
        </label>
        <span className="toolbar-status" data-testid="streams-shown">
          {shown.length === rows.length ? '' : `${shown.length} of ${rows.length} shown`}
        </span>
      </div>
      <div className="table-scroller" ref={scroller} aria-label="Database connections through the tunnel">
        <table className="streams" aria-rowcount={shown.length + 1}>
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th
                  key={column.key}
                  scope="col"
                  className={column.className}
                  aria-sort={sort.key === column.key ? (sort.descending ? 'descending' : 'ascending') : undefined}
                >
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => {
                      sortBy(column.key);
                    }}
                  >
                    {column.label}
                    <span className="sort-mark" aria-hidden="true">
                      {sort.key === column.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody onKeyDown={onKeyDown}>
            {visible.padTop > 0 ? <tr aria-hidden="true" style={{ height: visible.padTop }} /> : null}
            {shown.slice(visible.start, visible.end).map((row) => (
              <Row
                key={row.key}
                row={row}
                now={now}
                idLabel={streamIdLabel(row.info, connections)}
                selected={row.key === selected?.key}
                onSelect={setSelectedKey}
                onShowLogs={onShowLogs}
              />
            ))}
            {visible.padBottom > 0 ? <tr aria-hidden="true" style={{ height: visible.padBottom }} /> : null}
          </tbody>
        </table>
        {rows.length === 0 ? (
          <p className="empty">
            No database connections yet. They appear here while Cluvio queries a database through this agent.
          </p>
        ) : shown.length === 0 ? (
          <p className="empty">No stream matches the filter.</p>
        ) : null}
      </div>
      {selected === null ? (
        <p className="hint stream-details-hint">
          Select a stream (click it, or Tab to its id and use ↑ ↓) to see its full target, and for a failed one the
          error and what to do. Its id opens its log lines.
        </p>
      ) : (
        <StreamDetails
          row={selected}
          now={now}
          idLabel={streamIdLabel(selected.info, connections)}
          onShowLogs={onShowLogs}
        />
      )}
    </section>
  );
}

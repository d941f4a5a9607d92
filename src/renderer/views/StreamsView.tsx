import { memo, useRef, type ReactElement } from 'react';
import { formatBytes, formatDuration, formatRate } from '../format.js';
import { useStreams } from '../hooks/use-streams.js';
import { useVirtualRows } from '../hooks/use-virtual-rows.js';
import type { StreamRow } from '../stream-rows.js';

/** Fixed row height (matches `.streams td` in the stylesheet): lets only visible rows render. */
const ROW_HEIGHT = 30;

const Row = memo(function Row({ row, now }: { readonly row: StreamRow; readonly now: number }) {
  const { info, rate } = row;
  return (
    <tr className={`stream-${info.phase}`} data-testid="stream-row">
      <td>{info.target}</td>
      <td>{info.resolved ?? (info.error === null ? '…' : '–')}</td>
      <td className="num">{formatBytes(info.bytesToTarget)}</td>
      <td className="num">{formatBytes(info.bytesFromTarget)}</td>
      <td className="num">{formatDuration((info.closedAt ?? now) - info.openedAt)}</td>
      <td className="num">
        {info.phase === 'closed' ? '–' : `↑ ${formatRate(rate.toTarget)}  ↓ ${formatRate(rate.fromTarget)}`}
      </td>
      <td>{info.error ?? info.phase}</td>
    </tr>
  );
});

export function StreamsView(): ReactElement {
  const { rows, now } = useStreams();
  const scroller = useRef<HTMLDivElement>(null);
  const visible = useVirtualRows(scroller, rows.length, ROW_HEIGHT);
  const open = rows.filter((r) => r.info.phase !== 'closed').length;
  return (
    <section aria-labelledby="streams-heading" className="view view-fill">
      <h2 id="streams-heading">Streams</h2>
      <p role="status" data-testid="streams-summary">
        {open} open, {rows.length - open} recently closed
      </p>
      <div className="table-scroller" ref={scroller} tabIndex={0} aria-label="Database connections through the tunnel">
        <table className="streams" aria-rowcount={rows.length + 1}>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Resolved address</th>
              <th scope="col" className="num">
                Sent ↑
              </th>
              <th scope="col" className="num">
                Received ↓
              </th>
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col" className="num">
                Current rate
              </th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {visible.padTop > 0 ? <tr aria-hidden="true" style={{ height: visible.padTop }} /> : null}
            {rows.slice(visible.start, visible.end).map((row) => (
              <Row key={row.key} row={row} now={now} />
            ))}
            {visible.padBottom > 0 ? <tr aria-hidden="true" style={{ height: visible.padBottom }} /> : null}
          </tbody>
        </table>
        {rows.length === 0 ? (
          <p className="empty">
            No database connections yet. They appear here while Cluvio queries a database through this agent.
          </p>
        ) : null}
      </div>
    </section>
  );
}

import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { logRecordMatches } from '../../shared/log-filter.js';
import { LOG_LEVELS, type LogLevel, type LogRecord } from '../../shared/log-record.js';
import { formatLogLine } from '../../shared/log-line.js';
import { formatClock } from '../format.js';
import { useLogTail } from '../hooks/use-log-tail.js';
import { useVirtualRows } from '../hooks/use-virtual-rows.js';

/** Fixed line height (matches `.log-line` in the stylesheet). */
const LINE_HEIGHT = 22;

function LogLine({ record }: { readonly record: LogRecord }) {
  const fields = Object.entries(record.fields)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  return (
    <div
      className={`log-line log-${record.level}`}
      data-testid="log-line"
      data-level={record.level}
      title={formatLogLine(record)}
    >
      <span className="log-time">{formatClock(record.time)}</span>{' '}
      <span className="log-level">{record.level.toUpperCase()}</span>{' '}
      <span className="log-module">{record.module}</span> <span className="log-message">{record.message}</span>{' '}
      <span className="log-fields">{fields}</span>
    </div>
  );
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.click();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 1000);
}

export function LogsView(): ReactElement {
  const all = useLogTail();
  const [level, setLevel] = useState<LogLevel>('info');
  const [text, setText] = useState('');
  const [paused, setPaused] = useState<readonly LogRecord[] | null>(null);
  const [notice, setNotice] = useState('');
  const ids = { level: useId(), search: useId() };

  const source = paused ?? all;
  const shown = useMemo(() => source.filter((r) => logRecordMatches(r, { level, text })), [source, level, text]);
  const waiting = paused === null ? 0 : all.length - paused.length;

  const scroller = useRef<HTMLDivElement>(null);
  const visible = useVirtualRows(scroller, shown.length, LINE_HEIGHT, 20);
  const followTail = useRef(true);
  useEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const onScroll = (): void => {
      followTail.current = element.scrollTop + element.clientHeight >= element.scrollHeight - LINE_HEIGHT * 2;
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      element.removeEventListener('scroll', onScroll);
    };
  }, []);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element !== null && followTail.current) element.scrollTop = element.scrollHeight;
  }, [shown]);

  const asText = (): string => shown.map(formatLogLine).join('\n') + (shown.length > 0 ? '\n' : '');
  const copy = (): void => {
    navigator.clipboard.writeText(asText()).then(
      () => {
        setNotice(`Copied ${shown.length} lines`);
      },
      () => {
        setNotice('Copy failed: use Export instead');
      },
    );
  };

  return (
    <section aria-labelledby="logs-heading" className="view view-fill">
      <h2 id="logs-heading">Logs</h2>
      <div className="toolbar" role="toolbar" aria-label="Log controls">
        <label htmlFor={ids.level}>Level</label>
        <select
          id={ids.level}
          value={level}
          onChange={(event) => {
            setLevel(event.target.value as LogLevel);
          }}
        >
          {LOG_LEVELS.map((l) => (
            <option key={l} value={l}>
              {l} and above
            </option>
          ))}
        </select>
        <label htmlFor={ids.search}>Search</label>
        <input
          id={ids.search}
          type="search"
          value={text}
          placeholder="text, module or field"
          onChange={(event) => {
            setText(event.target.value);
          }}
        />
        <button
          type="button"
          className="button"
          aria-pressed={paused !== null}
          onClick={() => {
            setPaused(paused === null ? all : null);
          }}
        >
          {paused === null ? 'Pause' : `Resume${waiting > 0 ? ` (${waiting} new)` : ''}`}
        </button>
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            download(`cluvio-agent-${new Date().toISOString().replace(/[:.]/g, '-')}.log`, asText());
          }}
        >
          Export…
        </button>
        <span role="status" className="toolbar-status">
          {notice}
        </span>
      </div>
      <div
        className="log-scroller"
        ref={scroller}
        tabIndex={0}
        role="log"
        aria-label="Log lines"
        aria-live="off"
        data-testid="log-lines"
      >
        <div style={{ height: visible.padTop }} />
        {shown.slice(visible.start, visible.end).map((record) => (
          <LogLine key={record.seq} record={record} />
        ))}
        <div style={{ height: visible.padBottom }} />
        {shown.length === 0 ? (
          <p className="empty">No log lines at this level{text === '' ? '' : ' matching the search'}.</p>
        ) : null}
      </div>
      <p className="hint">
        {shown.length} of {source.length} lines shown{paused === null ? '' : ' (paused)'}
      </p>
    </section>
  );
}

import {
  type KeyboardEvent,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactElement,
} from 'react';
import type { LogRecord } from '../../shared/log-record.js';
import { formatLogLine } from '../../shared/log-line.js';
import { formatClock } from '../format.js';
import { useLogTail } from '../hooks/use-log-tail.js';
import { usePreference } from '../hooks/use-preference.js';
import { useVirtualRows } from '../hooks/use-virtual-rows.js';
import { humanFields, humanFieldsText } from '../log-fields.js';
import { DEFAULT_LOG_VIEW, LOG_VIEW_LABELS, LOG_VIEWS, logViewMatches, type LogView } from '../log-views.js';
import { boundedString, oneOf } from '../ui-preferences.js';

/** Fixed line height (matches `.log-line` in the stylesheet); an expanded line is measured. */
const LINE_HEIGHT = 22;

/** Where the view and search are kept (ui-preferences.ts); the Streams view writes them to open a stream's lines. */
export const LOG_VIEW_PREFERENCE = 'logs.view';
export const LOG_SEARCH_PREFERENCE = 'logs.search';
export const acceptLogView = (raw: unknown): LogView | null => oneOf(raw, LOG_VIEWS);
export const acceptLogSearch = (raw: unknown): string | null => boundedString(raw, 200);

function LogLine({
  record,
  expanded,
  onToggle,
  measure,
}: {
  readonly record: LogRecord;
  readonly expanded: boolean;
  readonly onToggle: (seq: number) => void;
  readonly measure: (element: HTMLDivElement | null) => void;
}) {
  const toggle = (): void => {
    onToggle(record.seq);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    toggle();
  };
  return (
    <div
      ref={expanded ? measure : undefined}
      className={`log-line log-${record.level}${expanded ? ' log-expanded' : ''}`}
      data-testid="log-line"
      data-level={record.level}
      role="button"
      tabIndex={0}
      aria-expanded={expanded}
      onClick={toggle}
      onKeyDown={onKeyDown}
    >
      <span className="log-time">{formatClock(record.time)}</span>{' '}
      <span className="log-level">{record.level.toUpperCase()}</span>{' '}
      <span className="log-module">{record.module}</span> <span className="log-message">{record.message}</span>{' '}
      {expanded ? (
        <dl className="log-details" data-testid="log-details">
          {humanFields(record).map((field) => (
            <div key={field.key}>
              <dt>{field.label}</dt>
              <dd>{field.value}</dd>
            </div>
          ))}
          <div>
            <dt>as in the log file</dt>
            <dd>
              <code>{formatLogLine(record)}</code>
            </dd>
          </div>
        </dl>
      ) : (
        <span className="log-fields">{humanFieldsText(record)}</span>
      )}
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
  const [view, setView] = usePreference(LOG_VIEW_PREFERENCE, DEFAULT_LOG_VIEW, acceptLogView);
  const [text, setText] = usePreference(LOG_SEARCH_PREFERENCE, '', acceptLogSearch);
  const [paused, setPaused] = useState<readonly LogRecord[] | null>(null);
  const [notice, setNotice] = useState('');
  const [expanded, setExpanded] = useState<{ readonly seq: number; readonly height: number } | null>(null);
  const ids = { view: useId(), search: useId() };

  const source = paused ?? all;
  const shown = useMemo(() => source.filter((r) => logViewMatches(r, view, text)), [source, view, text]);
  const waiting = paused === null ? 0 : all.length - paused.length;

  const expandedIndex = expanded === null ? -1 : shown.findIndex((record) => record.seq === expanded.seq);
  const scroller = useRef<HTMLDivElement>(null);
  const visible = useVirtualRows(
    scroller,
    shown.length,
    LINE_HEIGHT,
    20,
    expanded === null || expandedIndex < 0 ? null : { index: expandedIndex, height: expanded.height },
  );
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
    if (element !== null && followTail.current && expanded === null) element.scrollTop = element.scrollHeight;
  }, [shown, expanded]);

  const toggle = useCallback((seq: number) => {
    setExpanded((current) => (current?.seq === seq ? null : { seq, height: LINE_HEIGHT }));
  }, []);
  // The expanded line's real height, so the lines below it are placed right.
  const measure = useCallback((element: HTMLDivElement | null) => {
    if (element === null) return;
    const height = element.offsetHeight;
    setExpanded((current) => (current === null || current.height === height ? current : { ...current, height }));
  }, []);

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
        <label htmlFor={ids.view}>Show</label>
        <select
          id={ids.view}
          value={view}
          onChange={(event) => {
            setView(acceptLogView(event.target.value) ?? DEFAULT_LOG_VIEW);
          }}
        >
          {LOG_VIEWS.map((option) => (
            <option key={option} value={option}>
              {LOG_VIEW_LABELS[option]}
            </option>
          ))}
        </select>
        <label htmlFor={ids.search}>Search</label>
        <input
          id={ids.search}
          type="search"
          value={text}
          placeholder="text, module, field or stream id"
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
        role="log"
        aria-label="Log lines"
        aria-live="off"
        data-testid="log-lines"
      >
        <div style={{ height: visible.padTop }} />
        {shown.slice(visible.start, visible.end).map((record) => (
          <LogLine
            key={record.seq}
            record={record}
            expanded={expanded?.seq === record.seq}
            onToggle={toggle}
            measure={measure}
          />
        ))}
        <div style={{ height: visible.padBottom }} />
        {shown.length === 0 ? (
          <p className="empty">No log lines {text === '' ? 'in this view' : 'match the search in this view'}.</p>
        ) : null}
      </div>
      <p className="hint">
        {shown.length} of {source.length} lines shown{paused === null ? '' : ' (paused)'}. Enter or a click on a line
        shows it in full.
      </p>
    </section>
  );
}

/**
 * What the Logs view shows. The default, "Connection activity", is every record at info and
 * above plus the debug records that say what the tunnel is doing: connecting to the gateway,
 * losing it, a stream opening, connecting to its database, finishing or being dropped. The
 * engine logs those at debug, as the reference agent does (the CLI's terminal keeps that level
 * so its output matches); the view picks them out instead. No DOM: unit-tested under Node.
 */
import { logRecordMatches } from '../shared/log-filter.js';
import { levelEnabled, type LogLevel, type LogRecord } from '../shared/log-record.js';

export const LOG_VIEWS = ['activity', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogView = (typeof LOG_VIEWS)[number];

export const LOG_VIEW_LABELS: Readonly<Record<LogView, string>> = {
  activity: 'Connection activity',
  error: 'Errors only',
  warn: 'Warnings and errors',
  info: 'Info and above',
  debug: 'Debug and above',
  trace: 'Everything (trace)',
};

export const DEFAULT_LOG_VIEW: LogView = 'activity';

const ENGINE_MODULES = new Set(['cluvio_agent::agent', 'cluvio_agent::stream']);

/** The debug records of the engine that are connection activity (their messages as the engine words them). */
const ACTIVITY_MESSAGES: readonly RegExp[] = [
  /^connecting to \S+ \.\.\.$/, // to the gateway
  /^connection to server lost$/,
  /^switching to new connection/,
  /^new inbound stream/,
  /^connecting to internal address /,
  /^connected to \S+$/, // a stream's database
  /^data transfer finished$/,
  /^dropping data stream without reply$/,
  /^test connection suceeded$/,
];

/** True for a debug record that says what the tunnel is doing (see above). */
export function isConnectionActivity(record: LogRecord): boolean {
  return (
    record.level === 'debug' &&
    ENGINE_MODULES.has(record.module) &&
    ACTIVITY_MESSAGES.some((pattern) => pattern.test(record.message))
  );
}

/** Whether `record` shows in `view` with `search` (a case-insensitive substring of the message, module or a field). */
export function logViewMatches(record: LogRecord, view: LogView, search: string): boolean {
  const level: LogLevel = view === 'activity' ? 'info' : view;
  const shown = levelEnabled(record.level, level) || (view === 'activity' && isConnectionActivity(record));
  return shown && logRecordMatches(record, { level: 'trace', text: search });
}

/**
 * Text lines in the layout of tracing-subscriber's default `fmt` output as the reference prints
 * them: `<timestamp> <LEVEL> <target>: <message> <field>=<value> …`, the level right-aligned to
 * five characters. With ANSI: timestamp dim, level coloured (ERROR red, WARN yellow, INFO green,
 * DEBUG blue, TRACE purple), target and `:` dim, field names italic, `=` dim.
 */
import type { LogFieldValue, LogLevel, LogRecord } from '../../shared/log-record.js';
import { rustDebugString } from './rust-debug-string.js';
import { formatLogTimestamp } from './log-timestamp.js';

export interface TextFormatOptions {
  readonly ansi: boolean;
}

const LEVEL_TEXT: Readonly<Record<LogLevel, string>> = {
  error: 'ERROR',
  warn: ' WARN',
  info: ' INFO',
  debug: 'DEBUG',
  trace: 'TRACE',
};
const LEVEL_COLOUR: Readonly<Record<LogLevel, number>> = { error: 31, warn: 33, info: 32, debug: 34, trace: 35 };

/**
 * Fields the reference records with `?` (Debug), so their strings appear quoted; everything else
 * it records with `%` (Display), unquoted. Only `path` (the `configuration` record) matters here.
 */
const DEBUG_FORMATTED_FIELDS: ReadonlySet<string> = new Set(['path']);

/** A field value as tracing renders it (strings quoted for Debug-recorded fields). */
export function renderFieldValue(name: string, value: LogFieldValue): string {
  if (typeof value === 'string') return DEBUG_FORMATTED_FIELDS.has(name) ? rustDebugString(value) : value;
  return String(value);
}

const style = (code: string, text: string): string => `\u001b[${code}m${text}\u001b[0m`;

export function formatLogText(record: LogRecord, options: TextFormatOptions): string {
  const { ansi } = options;
  const timestamp = formatLogTimestamp(record.time);
  const level = LEVEL_TEXT[record.level];
  const fields = Object.entries(record.fields).map(([name, value]) => {
    const rendered = renderFieldValue(name, value);
    return ansi ? `${style('3', name)}${style('2', '=')}${rendered}` : `${name}=${rendered}`;
  });
  const head = ansi
    ? `${style('2', timestamp)} ${style(String(LEVEL_COLOUR[record.level]), level)} ${style('2', record.module)}${style('2', ':')}`
    : `${timestamp} ${level} ${record.module}:`;
  return [head, record.message, ...fields].join(' ');
}

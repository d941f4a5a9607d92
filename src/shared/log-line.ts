/** One log record as a line of text, the same in the log file, a copy from the UI and an export. */
import type { LogFieldValue, LogRecord } from './log-record.js';

function fieldText(value: LogFieldValue): string {
  const text = String(value);
  return text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** `2025-11-25T16:33:07.123Z INFO  cluvio_agent::agent: connected server=gw.example.com`. */
export function formatLogLine(record: LogRecord): string {
  const fields = Object.entries(record.fields).map(([key, value]) => `${key}=${fieldText(value)}`);
  return [
    new Date(record.time).toISOString(),
    record.level.toUpperCase().padEnd(5),
    `${record.module}:`,
    record.message,
    ...fields,
  ].join(' ');
}

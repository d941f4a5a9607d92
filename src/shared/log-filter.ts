/** The log filter both the host (for `getLogs`) and the UI (for the live tail) apply. */
import type { LogFilter } from './agent-api.js';
import { levelEnabled, type LogRecord } from './log-record.js';

/** True when `record` is at least as severe as the filter's level and contains its text. */
export function logRecordMatches(record: LogRecord, filter: LogFilter): boolean {
  if (!levelEnabled(record.level, filter.level)) return false;
  const needle = filter.text.trim().toLowerCase();
  if (needle === '') return true;
  if (record.message.toLowerCase().includes(needle) || record.module.toLowerCase().includes(needle)) return true;
  return Object.entries(record.fields).some(
    ([key, value]) => key.toLowerCase().includes(needle) || String(value).toLowerCase().includes(needle),
  );
}

/**
 * JSON lines in the shape of the reference's `--json` output (tracing-subscriber's json format):
 * `{"timestamp":"…Z","level":"INFO","fields":{"message":"…",…},"target":"cluvio_agent::agent"}`.
 */
import type { LogFieldValue, LogRecord } from '../../shared/log-record.js';
import { formatLogTimestamp } from './log-timestamp.js';
import { renderFieldValue } from './text-format.js';

export function formatLogJson(record: LogRecord): string {
  const fields: Record<string, LogFieldValue> = { message: record.message };
  for (const [name, value] of Object.entries(record.fields)) {
    if (name === 'message') continue;
    fields[name] = typeof value === 'string' ? renderFieldValue(name, value) : value;
  }
  return JSON.stringify({
    timestamp: formatLogTimestamp(record.time),
    level: record.level.toUpperCase(),
    fields,
    target: record.module,
  });
}

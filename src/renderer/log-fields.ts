/**
 * A log record's fields as a person reads them. The engine records some values in the reference
 * agent's Rust debug form, because its text log must read the same (`recv=Some(Ok(2056))
 * sent=None time=0.0123`, `msg="\"text\""`); the CLI's terminal and the log file keep that form,
 * the UI shows `to the database 2.0 KiB · from the database not counted (Cluvio closed first) ·
 * took 12 ms` (the reference does not count the direction a full close cut short). Fields it does not know are shown as they are. No DOM: unit-tested under Node.
 */
import type { LogFieldValue, LogRecord } from '../shared/log-record.js';
import { formatBytes } from './format.js';

export interface HumanField {
  readonly key: string;
  /** The words shown for the key. */
  readonly label: string;
  readonly value: string;
}

/** `Some(Ok(2056))` → 2056; `None` → null; anything else → undefined (not a byte count). */
function optionalBytes(value: LogFieldValue): number | null | undefined {
  if (value === 'None') return null;
  const match = typeof value === 'string' ? /^Some\(Ok\((\d+)\)\)$/.exec(value) : null;
  return match === null ? undefined : Number(match[1]);
}

/** A Rust debug string (`"text"` with escapes) as its text; anything else as it is. */
function unquoted(value: LogFieldValue): string {
  if (typeof value !== 'string' || !/^".*"$/s.test(value)) return String(value);
  try {
    return JSON.parse(value.replace(/\\u\{([0-9a-f]+)\}/g, (_, hex: string) => `\\u${hex.padStart(4, '0')}`)) as string;
  } catch {
    return value;
  }
}

function seconds(value: LogFieldValue): string | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return null;
  return number < 1 ? `${Math.round(number * 1000)} ms` : `${number.toFixed(number < 10 ? 2 : 1)} s`;
}

/** Per key of the stream and agent records: the label, and how the value reads. */
const KNOWN: Readonly<
  Record<string, { readonly label: string; readonly read?: (value: LogFieldValue) => string | null }>
> = {
  // "data transfer finished": recv = gateway → database, sent = database → gateway (the reference's names).
  recv: {
    label: 'to the database',
    read: (value) => {
      const bytes = optionalBytes(value);
      return bytes === undefined
        ? null
        : bytes === null
          ? 'not counted (the database closed first)'
          : formatBytes(bytes);
    },
  },
  sent: {
    label: 'from the database',
    read: (value) => {
      const bytes = optionalBytes(value);
      return bytes === undefined ? null : bytes === null ? 'not counted (Cluvio closed first)' : formatBytes(bytes);
    },
  },
  time: { label: 'took', read: seconds },
  to: { label: 'database' },
  address: { label: 'address' },
  id: { label: 'id' },
  err: { label: 'error' },
  error: { label: 'error' },
  msg: { label: 'message' },
  reason: { label: 'reason' },
  agent: { label: 'agent' },
  version: { label: 'version' },
  path: { label: 'file' },
  rtt_ms: { label: 'round trip', read: (value) => (typeof value === 'number' ? `${value} ms` : null) },
  waited_ms: { label: 'waited', read: (value) => (typeof value === 'number' ? `${value} ms` : null) },
};

export function humanFields(record: Pick<LogRecord, 'fields'>): HumanField[] {
  return Object.entries(record.fields).map(([key, value]) => {
    const known = KNOWN[key];
    const read = known?.read?.(value) ?? null;
    return { key, label: known?.label ?? key, value: read ?? unquoted(value) };
  });
}

/** The fields on one line: `database 127.0.0.1:5432 · to the database 2.0 KiB · took 12 ms`. */
export function humanFieldsText(record: Pick<LogRecord, 'fields'>): string {
  return humanFields(record)
    .map((field) => `${field.label} ${field.value}`)
    .join(' · ');
}

/**
 * What a log record costs the host's log buffer, and a record cut down to a byte bound. The
 * engine logs names the gateway chooses (stream targets, up to a frame's size each): kept whole,
 * 5,000 of them held about 1 GiB. This is the buffer's own bound, independent of how each log
 * format escapes or shortens fields for display, so it holds for any record.
 *
 * The cost is an estimate of the heap a record holds, on the high side: two bytes per character
 * (V8's two-byte strings; one-byte strings take half), plus a fixed overhead per string, per
 * field and per record.
 */
import type { LogFieldValue, LogRecord } from '../shared/log-record.js';

export const RECORD_OVERHEAD_BYTES = 96;
export const FIELD_OVERHEAD_BYTES = 40;
export const STRING_OVERHEAD_BYTES = 24;

/** The smallest per-record bound `fitLogRecord` accepts (every part still gets a readable share). */
export const MIN_RECORD_BYTES = 16 * 1024;

/** At most this many fields survive in a record cut down to its bound (the rest are counted). */
const MAX_FIELDS_WHEN_CUT = 32;
/** A field with a longer name is left out of a cut record (names are the engine's, and short). */
const MAX_FIELD_NAME = 64;

type UnsequencedRecord = Omit<LogRecord, 'seq'>;

const stringBytes = (text: string): number => STRING_OVERHEAD_BYTES + 2 * text.length;

/** The estimated heap bytes of `record`. */
export function logRecordBytes(record: UnsequencedRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + stringBytes(record.message) + stringBytes(record.module);
  for (const key in record.fields) {
    const value = record.fields[key];
    bytes += FIELD_OVERHEAD_BYTES + stringBytes(key) + (typeof value === 'string' ? stringBytes(value) : 0);
  }
  return bytes;
}

/** V8 makes a string of at least this many characters taken out of a longer one a view of it. */
const MIN_SLICED_STRING = 13;

/**
 * A copy of `text` that holds only its own characters. A slice or a regular-expression capture
 * of a long string is, in V8, a view that keeps the whole long string alive: a short field cut
 * from a 512 KiB target would hold the 512 KiB. A JSON round trip copies exactly (lone
 * surrogates included).
 */
export function ownCopy(text: string): string {
  return text.length < MIN_SLICED_STRING ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/** `text` shortened to at most `limit` characters, saying how long it was. */
function shorten(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const marker = `…[${text.length} characters]`;
  return `${text.slice(0, Math.max(0, limit - marker.length))}${marker}`;
}

/** `record` with every string an own copy (its cost is then what `logRecordBytes` counts). */
export function withOwnStrings<R extends UnsequencedRecord>(record: R): R {
  const fields: Record<string, LogFieldValue> = {};
  for (const key in record.fields) {
    const value = record.fields[key];
    fields[ownCopy(key)] = typeof value === 'string' ? ownCopy(value) : (value ?? null);
  }
  return { ...record, message: ownCopy(record.message), module: ownCopy(record.module), fields };
}

/**
 * `record` itself when it costs at most `maxBytes`; otherwise a copy whose long strings are
 * shortened to an equal share of the bound (each saying its original length) and whose fields
 * beyond the first 32 are replaced by a count — at most `maxBytes` in every case.
 */
export function fitLogRecord<R extends UnsequencedRecord>(record: R, maxBytes: number): R {
  if (maxBytes < MIN_RECORD_BYTES) throw new RangeError(`a record bound must be at least ${MIN_RECORD_BYTES} bytes`);
  if (logRecordBytes(record) <= maxBytes) return record;
  const all = Object.entries(record.fields);
  let kept = all.filter(([key]) => key.length <= MAX_FIELD_NAME);
  if (kept.length > MAX_FIELDS_WHEN_CUT) kept = kept.slice(0, MAX_FIELDS_WHEN_CUT - 1);
  const leftOut = all.length - kept.length;
  const fields: [string, LogFieldValue][] = leftOut > 0 ? [...kept, ['fields_left_out', leftOut]] : kept;
  const strings = 2 + fields.filter(([, value]) => typeof value === 'string').length;
  const fixed =
    RECORD_OVERHEAD_BYTES +
    2 * STRING_OVERHEAD_BYTES +
    fields.reduce(
      (sum, [key, value]) =>
        sum + FIELD_OVERHEAD_BYTES + stringBytes(key) + (typeof value === 'string' ? STRING_OVERHEAD_BYTES : 0),
      0,
    );
  const limit = Math.floor((maxBytes - fixed) / 2 / strings);
  return {
    ...record,
    message: shorten(record.message, limit),
    module: shorten(record.module, limit),
    fields: Object.fromEntries(
      fields.map(([key, value]) => [key, typeof value === 'string' ? shorten(value, limit) : value]),
    ),
  };
}

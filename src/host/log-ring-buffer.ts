/**
 * The bounded in-memory log every UI reads: the newest records, renumbered with one sequence
 * across engines (the engine restarts on import; its own `seq` starts over). Bounded twice:
 * at most `capacity` records, and at most `maxBytes` of estimated heap (log-record-size.ts) —
 * the oldest records go first; a single record above `maxRecordBytes` is stored (and passed to
 * listeners) cut down to that bound, so no record, however long its fields, is held whole. The
 * stored strings are copies (`withOwnStrings`), so what is counted is what is held.
 */
import type { LogFilter } from '../shared/agent-api.js';
import { logRecordMatches } from '../shared/log-filter.js';
import type { LogRecord } from '../shared/log-record.js';
import { fitLogRecord, logRecordBytes, MIN_RECORD_BYTES, withOwnStrings } from './log-record-size.js';

export const DEFAULT_LOG_CAPACITY = 5000;
/** 8 MiB: 5,000 ordinary records (about 0.5–1 KiB each, estimated) fit well within it. */
export const DEFAULT_LOG_MAX_BYTES = 8 * 1024 * 1024;
/** 64 KiB: a record's strings keep about 4,000 characters each when it has a few fields. */
export const DEFAULT_LOG_MAX_RECORD_BYTES = 64 * 1024;

export interface LogRingBufferBounds {
  /** Estimated heap bytes of all records together (default `DEFAULT_LOG_MAX_BYTES`). */
  readonly maxBytes?: number;
  /** Estimated heap bytes of one record (default `DEFAULT_LOG_MAX_RECORD_BYTES`, at most `maxBytes`). */
  readonly maxRecordBytes?: number;
}

export class LogRingBuffer {
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #maxRecordBytes: number;
  readonly #slots: (LogRecord | undefined)[];
  readonly #slotBytes: Float64Array;
  #next = 0;
  #size = 0;
  #bytes = 0;
  #seq = 0;
  readonly #listeners = new Set<(record: LogRecord) => void>();

  constructor(capacity: number = DEFAULT_LOG_CAPACITY, bounds: LogRingBufferBounds = {}) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`log buffer capacity must be a positive integer, got ${capacity}`);
    const maxBytes = bounds.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    const maxRecordBytes = Math.min(bounds.maxRecordBytes ?? DEFAULT_LOG_MAX_RECORD_BYTES, maxBytes);
    if (!Number.isSafeInteger(maxRecordBytes) || maxRecordBytes < MIN_RECORD_BYTES)
      throw new RangeError(`log buffer byte bounds must be at least ${MIN_RECORD_BYTES}, got ${maxRecordBytes}`);
    this.#capacity = capacity;
    this.#maxBytes = maxBytes;
    this.#maxRecordBytes = maxRecordBytes;
    this.#slots = new Array<LogRecord | undefined>(capacity);
    this.#slotBytes = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** The estimated heap bytes of the records held (never above `maxBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /**
   * Stores `record` (cut down to the per-record bound if above it) under the next sequence number,
   * dropping the oldest records while either bound is exceeded; returns the stored record.
   */
  push(record: Omit<LogRecord, 'seq'>): LogRecord {
    this.#seq += 1;
    const stored: LogRecord = { ...withOwnStrings(fitLogRecord(record, this.#maxRecordBytes)), seq: this.#seq };
    const bytes = logRecordBytes(stored);
    if (this.#size === this.#capacity) this.#dropOldest();
    while (this.#size > 0 && this.#bytes + bytes > this.#maxBytes) this.#dropOldest();
    this.#slots[this.#next] = stored;
    this.#slotBytes[this.#next] = bytes;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#size += 1;
    this.#bytes += bytes;
    for (const listener of [...this.#listeners]) listener(stored);
    return stored;
  }

  #dropOldest(): void {
    const oldest = (this.#next - this.#size + this.#capacity) % this.#capacity;
    this.#bytes -= this.#slotBytes[oldest] ?? 0;
    this.#slots[oldest] = undefined;
    this.#slotBytes[oldest] = 0;
    this.#size -= 1;
  }

  /** The newest records matching `filter` (at most `filter.limit`), oldest first. */
  query(filter: LogFilter): LogRecord[] {
    const limit = Math.min(filter.limit ?? this.#capacity, this.#capacity);
    const matches: LogRecord[] = [];
    for (let i = 1; i <= this.#size && matches.length < limit; i += 1) {
      const record = this.#slots[(this.#next - i + this.#capacity) % this.#capacity];
      if (record !== undefined && logRecordMatches(record, filter)) matches.push(record);
    }
    return matches.reverse();
  }

  /** Calls `listener` with every record pushed from now on. */
  onPush(listener: (record: LogRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

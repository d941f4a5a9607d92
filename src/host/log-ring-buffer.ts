/**
 * The bounded in-memory log every UI reads: the newest `capacity` records, renumbered with one
 * sequence across engines (the engine restarts on import; its own `seq` starts over).
 */
import type { LogFilter } from '../shared/agent-api.js';
import { logRecordMatches } from '../shared/log-filter.js';
import type { LogRecord } from '../shared/log-record.js';

export const DEFAULT_LOG_CAPACITY = 5000;

export class LogRingBuffer {
  readonly #capacity: number;
  readonly #slots: (LogRecord | undefined)[];
  #next = 0;
  #size = 0;
  #seq = 0;
  readonly #listeners = new Set<(record: LogRecord) => void>();

  constructor(capacity: number = DEFAULT_LOG_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`log buffer capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
    this.#slots = new Array<LogRecord | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Stores `record` under the next sequence number, dropping the oldest when full; returns the stored record. */
  push(record: Omit<LogRecord, 'seq'>): LogRecord {
    this.#seq += 1;
    const stored: LogRecord = { ...record, seq: this.#seq };
    this.#slots[this.#next] = stored;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#size = Math.min(this.#size + 1, this.#capacity);
    for (const listener of [...this.#listeners]) listener(stored);
    return stored;
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

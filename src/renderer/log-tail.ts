/** Merging log batches into the UI's tail: ordered by sequence, no duplicates, bounded. No DOM. */
import type { LogRecord } from '../shared/log-record.js';

export const MAX_TAIL = 5000;

export function appendLogRecords(current: readonly LogRecord[], incoming: readonly LogRecord[]): readonly LogRecord[] {
  if (incoming.length === 0) return current;
  const last = current.at(-1)?.seq ?? 0;
  // The common case: a batch of newer records.
  if (incoming.every((r) => r.seq > last)) {
    const merged = current.concat(incoming);
    return merged.length > MAX_TAIL ? merged.slice(merged.length - MAX_TAIL) : merged;
  }
  const bySeq = new Map<number, LogRecord>();
  for (const record of current) bySeq.set(record.seq, record);
  for (const record of incoming) bySeq.set(record.seq, record);
  const merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return merged.length > MAX_TAIL ? merged.slice(merged.length - MAX_TAIL) : merged;
}

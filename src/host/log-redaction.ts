/**
 * Keeps secrets out of every log sink (UI, log file, terminal): fields whose name says secret,
 * and any occurrence of a known secret value in the message or a field, become `[redacted]`.
 * The engine is not expected to log secrets; this is the defence in depth at the one choke point.
 */
import type { LogFieldValue, LogRecord } from '../shared/log-record.js';

export const REDACTED = '[redacted]';

/** Field names that carry credentials, whatever the engine puts in them. */
const SECRET_FIELD = /secret|private|password|passwd|token|credential/i;

/** Secrets shorter than this are not searched for in text (they would redact ordinary words). */
const MIN_SECRET_LENGTH = 8;

export type LogRedactor = <R extends Omit<LogRecord, 'seq'>>(record: R) => R;

/** `secrets` is read on every record, so a new configuration's key is covered at once. */
export function createLogRedactor(secrets: () => readonly string[]): LogRedactor {
  return (record) => {
    const known = secrets().filter((secret) => secret.length >= MIN_SECRET_LENGTH);
    const scrub = (text: string): string => known.reduce((out, secret) => out.split(secret).join(REDACTED), text);
    const fields: Record<string, LogFieldValue> = {};
    for (const [key, value] of Object.entries(record.fields)) {
      fields[key] = SECRET_FIELD.test(key) ? REDACTED : typeof value === 'string' ? scrub(value) : value;
    }
    return { ...record, message: scrub(record.message), module: scrub(record.module), fields };
  };
}

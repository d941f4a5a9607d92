/**
 * A safety net in the engine's logger: the engine does not log secrets, but if a field's name
 * suggests one, its value is replaced; a non-primitive value that slipped through a cast is
 * converted with String(), which for a SecretKey yields its redaction marker.
 */
import type { LogFieldValue } from '../../shared/log-record.js';

export const REDACTED_FIELD = '[redacted]';

/** Field names that carry credentials (`secretKey`, `secret-key`, `password`, `api_key`, `token`, …). */
const SECRET_FIELD_NAME = /secret|private|passw(or)?d|token|credential|api[-_]?key|session[-_]?key|^sk$/i;

export function isSecretFieldName(name: string): boolean {
  return SECRET_FIELD_NAME.test(name);
}

function primitive(value: unknown): LogFieldValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- deliberate: objects render through their own toString (SecretKey redacts itself)
  return String(value);
}

export function redactLogFields(fields: Readonly<Record<string, unknown>>): Record<string, LogFieldValue> {
  const out: Record<string, LogFieldValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = isSecretFieldName(name) ? REDACTED_FIELD : primitive(value);
  }
  return out;
}

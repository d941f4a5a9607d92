/**
 * `ErrorCode` (PROTOCOL.md §5.3): an `index_only` enum, so on the wire it is the bare unsigned
 * index. The names are the ones the shared UI types use.
 */
import type { ErrorCodeName } from '../../shared/agent-state.js';
import type { CborReader } from './cbor-reader.js';
import type { CborWriter } from './cbor-writer.js';
import { unknownVariant } from './derived-decoding.js';

export type ErrorCode = ErrorCodeName;

/** Wire index → name. */
export const ERROR_CODES: readonly ErrorCode[] = ['CouldNotConnect', 'AddressNotAllowed', 'DecryptionFailed'];

const TEXTS: Readonly<Record<ErrorCode, string>> = {
  CouldNotConnect: 'could not connect',
  AddressNotAllowed: 'address not allowed',
  DecryptionFailed: 'decryption failed',
};

/** The reference agent's Display text, e.g. `address not allowed`. */
export function errorCodeText(code: ErrorCode): string {
  return TEXTS[code];
}

export function encodeErrorCode(writer: CborWriter, code: ErrorCode): void {
  writer.uint(ERROR_CODES.indexOf(code), 'error code');
}

/**
 * Reads the bare index. An unknown index is an unknown variant *after* the integer was consumed,
 * which is where minicbor leaves its cursor too (PROTOCOL.md §4.2 and the note in `decodeOptionField`).
 */
export function decodeErrorCode(reader: CborReader): ErrorCode {
  const start = reader.position;
  const index = reader.i64('an error code');
  const code = ERROR_CODES[index];
  if (code === undefined) throw unknownVariant('ErrorCode', index, start);
  return code;
}

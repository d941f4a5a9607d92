/**
 * The decoding rules minicbor-derive generates for structs and enums (PROTOCOL.md §4.2), as
 * reusable steps over a CborReader. Message decoders are written as the same sequence of steps
 * the derived Rust code takes, which is what makes their tolerance match the reference agent's.
 */
import type { CborReader } from './cbor-reader.js';
import { ProtocolError } from './protocol-error.js';

/**
 * Walks an array-encoded struct body (definite or indefinite); `field` gets each position and
 * must consume exactly one item (decode it, or `reader.skip()` an unknown position).
 */
export function decodeArrayFields(reader: CborReader, what: string, field: (index: number) => void): void {
  const count = reader.arrayHeader(what);
  if (count !== null) {
    for (let index = 0; index < count; index += 1) field(index);
    return;
  }
  for (let index = 0; !reader.isBreak(); index += 1) field(index);
  reader.skip();
}

/**
 * Walks a map-encoded struct body (definite or indefinite); keys are read as i64 (so a negative
 * key is merely unknown) and `field` must consume the value (decode it, or `reader.skip()` an
 * unknown key).
 */
export function decodeMapFields(reader: CborReader, what: string, field: (key: number) => void): void {
  const count = reader.mapHeader(what);
  if (count !== null) {
    for (let entry = 0; entry < count; entry += 1) field(reader.i64(`a key of ${what}`));
    return;
  }
  while (!reader.isBreak()) field(reader.i64(`a key of ${what}`));
  reader.skip();
}

/**
 * Reads the `[index, …` head of an enum value and returns the variant index (an i64 in minicbor
 * 2.x, so a negative index is an unknown variant). The array must be definite with exactly 2
 * elements: anything else is an error, never an unknown variant.
 */
export function decodeVariantIndex(reader: CborReader, what: string): number {
  const start = reader.position;
  const count = reader.arrayHeader(what);
  if (count === null) {
    throw new ProtocolError(
      'indefinite-enum',
      `expected ${what} as a definite-length 2-element array [variant, fields], found an indefinite-length array`,
      { offset: start },
    );
  }
  if (count !== 2) {
    throw new ProtocolError(
      'invalid-length',
      `expected ${what} as a 2-element array [variant, fields], found an array of ${count} elements`,
      { offset: start },
    );
  }
  return reader.i64(`the variant index of ${what}`);
}

export function unknownVariant(what: string, index: number, offset: number): ProtocolError {
  return new ProtocolError('unknown-variant', `unknown variant ${index} of ${what}`, { offset });
}

/** Reads `()`: minicbor requires a definite empty array. */
export function decodeUnit(reader: CborReader, what: string): void {
  const start = reader.position;
  const count = reader.arrayHeader(what);
  if (count !== 0) {
    const found = count === null ? 'an indefinite-length array' : `an array of ${count} elements`;
    throw new ProtocolError('invalid-length', `expected ${what} as an empty array, found ${found}`, { offset: start });
  }
}

/** The result of an optional field whose value was an unknown variant: the field keeps its value. */
export const KEEP_FIELD: unique symbol = Symbol('keep field');

/**
 * Decodes a field of type `Option<T>`: `null` is None; an unknown variant anywhere inside the
 * value is swallowed by skipping one item *from where the error left the cursor* (as the derived
 * code does) and the field keeps its previous value (None unless a duplicate key set it).
 */
export function decodeOptionField<T>(reader: CborReader, decode: () => T): T | null | typeof KEEP_FIELD {
  if (reader.isNull()) {
    reader.skip();
    return null;
  }
  try {
    return decode();
  } catch (error) {
    if (error instanceof ProtocolError && error.kind === 'unknown-variant') {
      reader.skip();
      return KEEP_FIELD;
    }
    throw error;
  }
}

/** A required field after the body was walked: absent is an error. */
export function requireField<T>(value: T | undefined, what: string, structStart: number): T {
  if (value === undefined) throw new ProtocolError('missing-field', `missing ${what}`, { offset: structStart });
  return value;
}

/** Reads a byte string that must have exactly `length` bytes (minicbor's `ByteArray<N>`). */
export function decodeByteArray(reader: CborReader, length: number, what: string): Uint8Array {
  const start = reader.position;
  const bytes = reader.bytes(what);
  if (bytes.length !== length) {
    throw new ProtocolError('invalid-length', `expected ${what} of ${length} bytes, found ${bytes.length} bytes`, {
      offset: start,
    });
  }
  return bytes;
}

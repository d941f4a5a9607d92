/**
 * The one error type that framing and message decoding throw for bad input from the peer.
 * `kind` tells a caller what went wrong without parsing the message; the message says what was
 * expected and what was found (and where, as a byte offset into the frame body when known).
 */

export type ProtocolErrorKind =
  /** A length prefix above the frame limit (524288 bytes); refused before reading the body. */
  | 'frame-too-large'
  /** The stream ended (or was destroyed) inside a frame's length prefix or body. */
  | 'truncated'
  /** A frame body of length 0: there is no CBOR item to decode. */
  | 'empty'
  /** A CBOR item inside the frame body is cut short (the body ends before the item does). */
  | 'end-of-input'
  /** Bytes that are not well-formed CBOR: reserved header values, invalid UTF-8 and the like. */
  | 'invalid-cbor'
  /** Well-formed CBOR of the wrong type for its position (e.g. a text string where an id goes). */
  | 'unexpected-type'
  /** A definite length that the schema does not allow: an enum array that is not 2 long, a unit
   *  value that is not `[]`, a byte string of the wrong size. */
  | 'invalid-length'
  /** An enum value (or `Result`, `SocketAddr`) sent as an indefinite-length array. */
  | 'indefinite-enum'
  /** An integer too large for its field (port > 65535, variant index or map key outside i64). */
  | 'out-of-range'
  /** A required field is absent. */
  | 'missing-field'
  /** An unknown variant index where no optional field absorbs it (inside `Message.data` it
   *  decodes as `data = null` instead, PROTOCOL.md §4.2). */
  | 'unknown-variant';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly kind: ProtocolErrorKind;
  /** Byte offset into the frame body where the problem was detected, when it is known. */
  readonly offset: number | null;

  constructor(kind: ProtocolErrorKind, message: string, options?: { offset?: number; cause?: unknown }) {
    const offset = options?.offset ?? null;
    super(
      offset === null ? message : `${message} (at byte ${offset})`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.kind = kind;
    this.offset = offset;
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}

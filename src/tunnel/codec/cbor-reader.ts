/**
 * A CBOR cursor with the semantics of minicbor's `Decoder` (PROTOCOL.md §4), built on cborg's
 * tokenizer. Typed decoders pull one item at a time, exactly as minicbor-derive's generated code
 * does, so that acceptance, tolerance and even the odd corner (where an error leaves the cursor,
 * what `skip` accepts) match the reference agent. Nothing is read beyond what a decoder asks for,
 * so bytes after the item (or after the point of an error) are never looked at.
 *
 * cborg does the byte-level work (heads, arguments, lengths, floats). This class adds what
 * minicbor does differently: definite-only strings and bytes for typed reads, strict UTF-8,
 * indefinite-length strings and simple values inside skipped items, and typed errors.
 */
import { Tokenizer, type DecodeOptions, type Token } from 'cborg';
import { ProtocolError } from './protocol-error.js';

const TOKEN_OPTIONS: DecodeOptions = {
  strict: false, // decoders accept non-shortest integer heads
  allowIndefinite: true,
  allowUndefined: true,
  allowBigInt: true,
  allowNaN: true,
  allowInfinity: true,
  retainStringBytes: true, // text is re-decoded strictly: cborg's own decoding replaces bad UTF-8
};

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const INDEFINITE = 31;
const NULL = 0xf6;
const BREAK = 0xff;
const I64_MAX = 0x7fff_ffff_ffff_ffffn;
const I64_MIN = -0x8000_0000_0000_0000n;

/** How a head byte reads in an error message ("found …"). */
export function describeHead(head: number): string {
  const info = head & 0x1f;
  switch (head >> 5) {
    case MAJOR_UNSIGNED:
      return 'an unsigned integer';
    case MAJOR_NEGATIVE:
      return 'a negative integer';
    case MAJOR_BYTES:
      return info === INDEFINITE ? 'an indefinite-length byte string' : 'a byte string';
    case MAJOR_TEXT:
      return info === INDEFINITE ? 'an indefinite-length text string' : 'a text string';
    case MAJOR_ARRAY:
      return info === INDEFINITE ? 'an indefinite-length array' : 'an array';
    case MAJOR_MAP:
      return info === INDEFINITE ? 'an indefinite-length map' : 'a map';
    case MAJOR_TAG:
      return 'a tag';
    default:
      if (head === 0xf4 || head === 0xf5) return 'a bool';
      if (head === NULL) return 'null';
      if (head === 0xf7) return 'undefined';
      if (head >= 0xf9 && head <= 0xfb) return 'a float';
      if (head === BREAK) return 'a break (end of an indefinite-length item)';
      if (head >= 0xfc) return `the reserved byte 0x${head.toString(16)}`;
      return 'a simple value';
  }
}

export class CborReader {
  readonly #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    // A plain Uint8Array view: cborg copies byte strings with slice(), which on a Buffer would alias.
    this.#bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Offset of the next unread byte. */
  get position(): number {
    return this.#pos;
  }

  /** The head byte of the next item, without consuming it. */
  peekHead(): number {
    const head = this.#bytes[this.#pos];
    if (head === undefined) {
      throw new ProtocolError('end-of-input', 'the CBOR item ends early: expected another data item', {
        offset: this.#pos,
      });
    }
    return head;
  }

  isNull(): boolean {
    return this.peekHead() === NULL;
  }

  /** True when the next byte ends an indefinite-length array or map. */
  isBreak(): boolean {
    return this.peekHead() === BREAK;
  }

  /** An unsigned integer of any head width (`what` names the field for error messages). */
  u64(what: string): bigint {
    this.#expectMajor(MAJOR_UNSIGNED, `an unsigned integer (${what})`);
    // cborg gives a number up to 2^53-1 and a bigint above.
    return BigInt(this.#token().value as number | bigint);
  }

  /**
   * A signed integer in i64 range, as minicbor 2.x reads variant indices and map keys: unsigned
   * and negative heads are both accepted. Returned as a number (exact up to 2^53; beyond that the
   * value only ever serves as "not a known index").
   */
  i64(what: string): number {
    const start = this.#pos;
    const head = this.peekHead();
    const major = head >> 5;
    if (major !== MAJOR_UNSIGNED && major !== MAJOR_NEGATIVE) throw this.#typeError(`an integer (${what})`, head);
    const value = BigInt(this.#token().value as number | bigint);
    if (value > I64_MAX || value < I64_MIN) {
      throw new ProtocolError('out-of-range', `expected an i64 (${what}), found the integer ${value}`, {
        offset: start,
      });
    }
    return Number(value);
  }

  u16(what: string): number {
    return this.#bounded(what, 0xffffn, 'u16');
  }

  bool(what: string): boolean {
    const head = this.peekHead();
    if (head !== 0xf4 && head !== 0xf5) throw this.#typeError(`a bool (${what})`, head);
    this.#pos += 1;
    return head === 0xf5;
  }

  /** A definite-length byte string (minicbor's `bytes()` refuses indefinite ones). */
  bytes(what: string): Uint8Array {
    this.#expectDefinite(MAJOR_BYTES, `a definite-length byte string (${what})`);
    return this.#token().value as Uint8Array;
  }

  /** A definite-length text string holding valid UTF-8. */
  text(what: string): string {
    const start = this.#pos;
    this.#expectDefinite(MAJOR_TEXT, `a definite-length text string (${what})`);
    const raw = this.#token().byteValue ?? new Uint8Array(0);
    try {
      return STRICT_UTF8.decode(raw);
    } catch (error) {
      throw new ProtocolError('invalid-cbor', `expected UTF-8 text (${what}), found invalid UTF-8`, {
        offset: start,
        cause: error,
      });
    }
  }

  /** An array head: its element count, or null for an indefinite-length array. */
  arrayHeader(what: string): number | null {
    return this.#containerHeader(MAJOR_ARRAY, `an array (${what})`);
  }

  /** A map head: its entry count, or null for an indefinite-length map. */
  mapHeader(what: string): number | null {
    return this.#containerHeader(MAJOR_MAP, `a map (${what})`);
  }

  /**
   * Skips one data item the way minicbor's `Decoder::skip` does: tags are transparent, nested
   * definite items are counted, and indefinite items run to their break. Like minicbor it counts
   * rather than recurses, so it neither overflows the stack on deep nesting nor insists on
   * perfect nesting of breaks inside items it is told to ignore.
   */
  skip(): void {
    let items = 1; // items still to pass at the flat level
    let openIndefinite = 0; // indefinite containers opened at the flat level, waiting for a break
    // Remaining counts of enclosing containers once an indefinite one opens inside a definite one
    // (null = indefinite: ends at a break).
    const enclosing: (number | null)[] = [];
    while (items > 0 || openIndefinite > 0 || enclosing.length > 0) {
      const flat = items > 0 || openIndefinite > 0;
      const head = this.peekHead();
      const major = head >> 5;
      if (major === MAJOR_TAG) {
        this.#token(); // a tag prefixes the item that follows; it is not an item of its own
        continue;
      }
      if (major === MAJOR_ARRAY || major === MAJOR_MAP) {
        const header = this.#containerHeader(major, 'an item to skip');
        const count = header === null ? null : major === MAJOR_MAP ? header * 2 : header;
        if (count === null) {
          if (!flat) enclosing.push(null);
          else if (items < 2) openIndefinite += 1;
          else {
            for (let i = 0; i < openIndefinite; i += 1) enclosing.push(null);
            enclosing.push(items - 1);
            enclosing.push(null);
            items = 0;
            openIndefinite = 0;
          }
        } else if (count > 0) {
          if (!flat) enclosing.push(count);
          else items += count;
        }
      } else if (head === BREAK) {
        this.#pos += 1;
        if (!flat) {
          if (enclosing.at(-1) === null) enclosing.pop();
        } else {
          openIndefinite = Math.max(0, openIndefinite - 1);
        }
      } else {
        this.#skipScalar(head);
      }
      if (items === 0 && openIndefinite === 0) {
        while (enclosing.at(-1) === 0) enclosing.pop();
        const top = enclosing.at(-1);
        if (top === undefined) break;
        if (top !== null) enclosing[enclosing.length - 1] = top - 1;
      } else {
        items = Math.max(0, items - 1);
      }
    }
  }

  /** Skips an item that is neither a container, a tag nor a break. */
  #skipScalar(head: number): void {
    const major = head >> 5;
    if (major === MAJOR_BYTES || major === MAJOR_TEXT) {
      const readChunk =
        major === MAJOR_BYTES
          ? () => this.bytes('a chunk of an indefinite-length byte string')
          : () => this.text('a chunk of an indefinite-length text string');
      if ((head & 0x1f) !== INDEFINITE) {
        readChunk();
        return;
      }
      this.#pos += 1;
      while (!this.isBreak()) readChunk();
      this.#pos += 1;
      return;
    }
    if ((head >= 0xe0 && head <= 0xf3) || head === 0xf8) {
      // Simple values, which cborg refuses to tokenize; minicbor steps over them.
      const length = head === 0xf8 ? 2 : 1;
      if (this.#pos + length > this.#bytes.length) {
        throw new ProtocolError('end-of-input', 'the CBOR item ends early: a simple value lacks its argument byte', {
          offset: this.#pos,
        });
      }
      this.#pos += length;
      return;
    }
    this.#token(); // integers, bool, null, undefined, floats; reserved bytes fail in cborg
  }

  #bounded(what: string, max: bigint, typeName: string): number {
    const start = this.#pos;
    const value = this.u64(what);
    if (value > max) {
      throw new ProtocolError('out-of-range', `expected a ${typeName} (${what}), found the integer ${value}`, {
        offset: start,
      });
    }
    return Number(value);
  }

  #containerHeader(major: number, expected: string): number | null {
    const head = this.peekHead();
    if (head >> 5 !== major) throw this.#typeError(expected, head);
    if ((head & 0x1f) === INDEFINITE) {
      this.#pos += 1;
      return null;
    }
    // cborg refuses lengths above 2^53-1, which could not fit in a frame anyway.
    return this.#token().value as number;
  }

  #expectMajor(major: number, expected: string): void {
    const head = this.peekHead();
    if (head >> 5 !== major) throw this.#typeError(expected, head);
  }

  #expectDefinite(major: number, expected: string): void {
    const head = this.peekHead();
    if (head >> 5 !== major || (head & 0x1f) === INDEFINITE) throw this.#typeError(expected, head);
  }

  #typeError(expected: string, head: number): ProtocolError {
    return new ProtocolError('unexpected-type', `expected ${expected}, found ${describeHead(head)}`, {
      offset: this.#pos,
    });
  }

  /** One token from cborg at the cursor; cborg's plain Errors become typed ones. */
  #token(): Token {
    const start = this.#pos;
    let token: Token;
    try {
      token = new Tokenizer(this.#bytes.subarray(start), TOKEN_OPTIONS).next();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      // cborg reports a short read as "not enough data"; everything else it refuses is malformed.
      if (detail.includes('not enough data')) {
        throw new ProtocolError(
          'end-of-input',
          `the CBOR item ends early: ${describeHead(this.peekHead())} is cut short`,
          { offset: start, cause: error },
        );
      }
      throw new ProtocolError('invalid-cbor', `malformed CBOR: ${detail}`, { offset: start, cause: error });
    }
    this.#pos = start + (token.encodedLength ?? 1);
    return token;
  }
}

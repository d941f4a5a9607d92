/**
 * Builds one CBOR item from explicit tokens and has cborg encode them, so the layout is exactly
 * what minicbor emits (PROTOCOL.md §4.1): shortest integer heads, definite lengths only, map
 * entries in the order written (no re-sorting), no tags, no floats.
 */
import { Token, Type, encode } from 'cborg';

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** Lone UTF-16 surrogates cannot be encoded as UTF-8 without loss. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** Marks a token list for the type encoder below (cborg has no public "encode these tokens"). */
class TokenSequence {
  constructor(readonly tokens: Token[]) {}
}

function tokensOf(value: unknown): Token[] | null {
  return value instanceof TokenSequence ? value.tokens : null;
}

export class CborWriter {
  readonly #tokens: Token[] = [];

  /** An unsigned integer in its shortest head; throws RangeError outside 0..2^64-1. */
  uint(value: number | bigint, what: string): this {
    const big = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
    if (big < 0n || big > U64_MAX) {
      throw new RangeError(`${what} must be an integer from 0 to 2^64-1, got ${String(value)}`);
    }
    this.#tokens.push(new Token(Type.uint, big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big));
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#tokens.push(new Token(Type.bytes, value));
    return this;
  }

  /** A text string; throws RangeError for strings with lone surrogates (not valid UTF-8). */
  text(value: string, what: string): this {
    if (LONE_SURROGATE.test(value))
      throw new RangeError(`${what} contains a lone UTF-16 surrogate, which UTF-8 cannot carry`);
    this.#tokens.push(new Token(Type.string, value));
    return this;
  }

  bool(value: boolean): this {
    this.#tokens.push(value ? new Token(Type.true, true) : new Token(Type.false, false));
    return this;
  }

  /** A definite array head; the caller then writes `length` items. */
  array(length: number): this {
    this.#tokens.push(new Token(Type.array, length));
    return this;
  }

  /** A definite map head; the caller then writes `length` key/value pairs in wire order. */
  map(length: number): this {
    this.#tokens.push(new Token(Type.map, length));
    return this;
  }

  finish(): Uint8Array {
    return encode(new TokenSequence(this.#tokens), { typeEncoders: { Object: tokensOf } });
  }
}

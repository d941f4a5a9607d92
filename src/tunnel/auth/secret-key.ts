/**
 * The agent's X25519 secret key. The bytes live in a private field; every implicit conversion
 * (String(), template literals, JSON.stringify, util.inspect / console.log) yields a redaction
 * marker, so a key can be passed around inside a config object without ever reaching a log.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { decodeKeyText, encodeBase64url, KEY_LENGTH } from './base64url.js';

/** What a secret key looks like wherever it is converted to text. */
export const REDACTED_SECRET_KEY = 'SecretKey(********)';

export class SecretKey {
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = Uint8Array.from(bytes);
  }

  /** Wraps 32 raw bytes (copied), as stored in `secret-key` (not clamped: clamping happens in X25519). */
  static fromBytes(bytes: Uint8Array): SecretKey {
    if (bytes.length !== KEY_LENGTH) throw new RangeError(`a secret key is ${KEY_LENGTH} bytes, got ${bytes.length}`);
    return new SecretKey(bytes);
  }

  /** Parses the `secret-key` text; throws `KeyTextError` (`invalid base64` / `invalid length`). */
  static fromBase64url(text: string): SecretKey {
    return new SecretKey(decodeKeyText(text));
  }

  /** 32 fresh bytes from the OS RNG, like the reference's `gen_secret_key`. */
  static generate(): SecretKey {
    return new SecretKey(randomBytes(KEY_LENGTH));
  }

  /** A copy of the raw bytes, for X25519 only. Never log or display the result. */
  bytesForCrypto(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  /** The `secret-key` text, for `--gen-keypair` and for writing a config file only. */
  exportBase64url(): string {
    return encodeBase64url(this.#bytes);
  }

  toString(): string {
    return REDACTED_SECRET_KEY;
  }

  toJSON(): string {
    return REDACTED_SECRET_KEY;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED_SECRET_KEY;
  }

  [inspect.custom](): string {
    return REDACTED_SECRET_KEY;
  }
}

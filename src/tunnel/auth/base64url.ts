/**
 * Key text encoding exactly as the reference agent's util/src/base64.rs (base64 0.22
 * `URL_SAFE_NO_PAD`): RFC 4648 §5 alphabet, no padding, and non-canonical trailing bits rejected.
 * Error texts keep the reference's leading words (`invalid base64`, `invalid length`) so that
 * scripts grepping for them keep working; they never echo the text, which may be a secret.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const DECODE_TABLE: ReadonlyMap<string, number> = new Map(
  Array.from(ALPHABET, (char, index) => [char, index] as const),
);

/** A key text that is not base64url or does not decode to the expected number of bytes. */
export class KeyTextError extends Error {
  override readonly name = 'KeyTextError';
}

/** Encodes bytes as base64url without padding. */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const remaining = bytes.length - i;
    out += ALPHABET.charAt(b0 >> 2);
    out += ALPHABET.charAt(((b0 & 0x03) << 4) | (b1 >> 4));
    if (remaining > 1) out += ALPHABET.charAt(((b1 & 0x0f) << 2) | (b2 >> 6));
    if (remaining > 2) out += ALPHABET.charAt(b2 & 0x3f);
  }
  return out;
}

const ALPHABET_HINT = 'base64url uses A–Z, a–z, 0–9, "-" and "_" without "=" padding';

/** Decodes base64url without padding, strictly; throws `KeyTextError` (`invalid base64: …`). */
export function decodeBase64url(text: string): Uint8Array {
  if (text.includes('=')) throw new KeyTextError(`invalid base64: padding "=" is not allowed (${ALPHABET_HINT})`);
  if (text.includes('+') || text.includes('/')) {
    throw new KeyTextError(`invalid base64: "+" and "/" are standard base64, not base64url; write "-" and "_" instead`);
  }
  const values: number[] = [];
  for (const [position, char] of Array.from(text).entries()) {
    const value = DECODE_TABLE.get(char);
    if (value === undefined)
      throw new KeyTextError(`invalid base64: character ${position + 1} is not allowed (${ALPHABET_HINT})`);
    values.push(value);
  }
  if (values.length % 4 === 1)
    throw new KeyTextError(
      `invalid base64: ${values.length} characters cannot be base64url (a length of 4n+1 is impossible)`,
    );

  const out = new Uint8Array(Math.floor((values.length * 6) / 8));
  let accumulator = 0;
  let bits = 0;
  let index = 0;
  for (const value of values) {
    accumulator = ((accumulator << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (accumulator >> bits) & 0xff;
    }
  }
  // Leftover bits of the last character must be zero, otherwise two texts would decode alike.
  if (bits > 0 && (accumulator & ((1 << bits) - 1)) !== 0) {
    throw new KeyTextError(
      'invalid base64: the last character has non-zero trailing bits (not the canonical encoding)',
    );
  }
  return out;
}

/** Length of an X25519 key in bytes; its base64url text has 43 characters. */
export const KEY_LENGTH = 32;

/** Decodes a 32-byte key text; throws `KeyTextError` with `invalid base64` or `invalid length`. */
export function decodeKeyText(text: string): Uint8Array {
  const bytes = decodeBase64url(text);
  if (bytes.length !== KEY_LENGTH) {
    throw new KeyTextError(
      `invalid length: a key is ${KEY_LENGTH} bytes (43 base64url characters), this decodes to ${bytes.length} bytes`,
    );
  }
  return bytes;
}

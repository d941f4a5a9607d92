/**
 * NaCl / libsodium `crypto_secretbox` over XChaCha20 in detached form — the construction
 * crypto_box 0.9.1 uses (PROTOCOL.md §6.3), not the IETF XChaCha20-Poly1305 AEAD and not
 * XSalsa20: subkey = HChaCha20(key, nonce[0..16]); keystream = original ChaCha20 (64-bit
 * counter from 0, 8-byte nonce = nonce[16..24]); Poly1305 key = keystream[0..32]; the message is
 * XORed with keystream[32..]; tag = Poly1305(ciphertext) with no padding, lengths or AD.
 */
import { timingSafeEqual } from 'node:crypto';
import { chacha20orig, hchacha } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';

export const SECRETBOX_KEY_LENGTH = 32;
export const SECRETBOX_NONCE_LENGTH = 24;
export const SECRETBOX_TAG_LENGTH = 16;

/** "expand 32-byte k" as little-endian words. */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
const POLY1305_KEY_LENGTH = 32;

function littleEndianWords(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(i * 4, true));
}

function wordsToBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((word, i) => {
    view.setUint32(i * 4, word, true);
  });
  return out;
}

/** HChaCha20(key, 16-byte input) → 32-byte subkey. */
export function hchacha20(key: Uint8Array, input: Uint8Array): Uint8Array {
  if (key.length !== 32 || input.length !== 16)
    throw new RangeError('HChaCha20 takes a 32-byte key and a 16-byte input');
  const out = new Uint32Array(8);
  hchacha(SIGMA, littleEndianWords(key), littleEndianWords(input), out);
  return wordsToBytes(out);
}

/** Keystream for `length` message bytes, preceded by the 32-byte one-time Poly1305 key. */
function keystream(key: Uint8Array, nonce: Uint8Array, length: number): { polyKey: Uint8Array; stream: Uint8Array } {
  if (key.length !== SECRETBOX_KEY_LENGTH) throw new RangeError(`secretbox key must be ${SECRETBOX_KEY_LENGTH} bytes`);
  if (nonce.length !== SECRETBOX_NONCE_LENGTH)
    throw new RangeError(`secretbox nonce must be ${SECRETBOX_NONCE_LENGTH} bytes`);
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  const block = chacha20orig(subkey, nonce.subarray(16, 24), new Uint8Array(POLY1305_KEY_LENGTH + length));
  return { polyKey: block.subarray(0, POLY1305_KEY_LENGTH), stream: block.subarray(POLY1305_KEY_LENGTH) };
}

function xor(data: Uint8Array, stream: Uint8Array): Uint8Array {
  return data.map((byte, i) => byte ^ (stream[i] ?? 0));
}

export interface DetachedBox {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

export function secretboxSealDetached(key: Uint8Array, nonce: Uint8Array, message: Uint8Array): DetachedBox {
  const { polyKey, stream } = keystream(key, nonce, message.length);
  const ciphertext = xor(message, stream);
  return { ciphertext, tag: poly1305(ciphertext, polyKey) };
}

/** The plaintext, or null when the tag does not match (checked in constant time before decrypting). */
export function secretboxOpenDetached(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Uint8Array | null {
  if (tag.length !== SECRETBOX_TAG_LENGTH) return null;
  const { polyKey, stream } = keystream(key, nonce, ciphertext.length);
  if (!timingSafeEqual(poly1305(ciphertext, polyKey), tag)) return null;
  return xor(ciphertext, stream);
}

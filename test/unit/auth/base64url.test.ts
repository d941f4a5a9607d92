import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeKeyText, encodeBase64url, KeyTextError } from '../../../src/tunnel/auth/base64url.js';
import { fromHex, vectorNamed } from '../../support/vectors.js';

const vector = vectorNamed('config_keypair', 'config');

describe('base64url key text', () => {
  it('decodes the vector secret key to its bytes and encodes it back', () => {
    expect(decodeKeyText(vector.secret_key_b64url)).toEqual(fromHex(vector.secret_key_hex));
    expect(encodeBase64url(fromHex(vector.secret_key_hex))).toBe(vector.secret_key_b64url);
  });

  it('round-trips any byte string like Node’s base64url encoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const text = encodeBase64url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(decodeBase64url(text)).toEqual(bytes);
      }),
    );
  });

  it('rejects padding with the reference wording', () => {
    expect(() => decodeKeyText(`${vector.secret_key_b64url}=`)).toThrow(/^invalid base64: padding "=" is not allowed/);
  });

  it('rejects the standard alphabet’s + and /', () => {
    const standard = Buffer.from(fromHex(vector.secret_key_hex)).toString('base64').replace(/=+$/, '');
    expect(standard).toMatch(/[+/]/);
    expect(() => decodeKeyText(standard)).toThrow(/^invalid base64: "\+" and "\/"/);
  });

  it('rejects characters outside the alphabet and names only their position', () => {
    const text = `${vector.secret_key_b64url.slice(0, 5)} ${vector.secret_key_b64url.slice(6)}`;
    const error = captureError(() => decodeKeyText(text));
    expect(error).toBeInstanceOf(KeyTextError);
    expect(error.message).toBe(
      'invalid base64: character 6 is not allowed (base64url uses A–Z, a–z, 0–9, "-" and "_" without "=" padding)',
    );
  });

  it('rejects non-canonical trailing bits (the last character of a 32-byte key carries 2 spare bits)', () => {
    // "s" (44) ends in binary 00; "t" (45) sets a spare bit and must not decode to the same key.
    expect(vector.secret_key_b64url.endsWith('s')).toBe(true);
    const nonCanonical = `${vector.secret_key_b64url.slice(0, -1)}t`;
    expect(() => decodeKeyText(nonCanonical)).toThrow(/^invalid base64: the last character has non-zero trailing bits/);
  });

  it('rejects a length of 4n+1 characters as invalid base64', () => {
    expect(() => decodeBase64url('AAAAA')).toThrow(/^invalid base64/);
  });

  it('rejects keys that decode to anything but 32 bytes with the reference wording', () => {
    expect(() => decodeKeyText('abc')).toThrow(
      'invalid length: a key is 32 bytes (43 base64url characters), this decodes to 2 bytes',
    );
    expect(() => decodeKeyText('')).toThrow(/^invalid length: .* decodes to 0 bytes$/);
    expect(() => decodeKeyText(encodeBase64url(randomBytes(33)))).toThrow(/^invalid length: .* decodes to 33 bytes$/);
  });

  it('never echoes the rejected text, which may be a secret', () => {
    const secretish = `${vector.secret_key_b64url.slice(0, 20)}+${vector.secret_key_b64url.slice(21)}`;
    const error = captureError(() => decodeKeyText(secretish));
    expect(error.message).not.toContain(vector.secret_key_b64url.slice(0, 20));
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

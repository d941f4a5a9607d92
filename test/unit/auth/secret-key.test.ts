import { inspect } from 'node:util';
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { agentIdOf, generateKeyPair, keyPairOf, publicKeyOf } from '../../../src/tunnel/auth/key-pair.js';
import { REDACTED_SECRET_KEY, SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { fromHex, toHex, vectorNamed } from '../../support/vectors.js';

const vector = vectorNamed('config_keypair', 'config');

describe('key pair (config_keypair vector)', () => {
  it('derives the public key and agent id from the secret key', () => {
    const secretKey = SecretKey.fromBase64url(vector.secret_key_b64url);
    expect(toHex(publicKeyOf(secretKey))).toBe(vector.public_key_hex);
    const pair = keyPairOf(secretKey);
    expect(pair.agentId).toBe(vector.agent_id);
    expect(agentIdOf(fromHex(vector.public_key_hex))).toBe(vector.public_key_b64url);
  });

  it('clamps as RFC 7748: secrets differing only in clamped bits share a public key', () => {
    const raw = fromHex(vector.secret_key_hex);
    const flipped = Uint8Array.from(raw);
    flipped[0] = (flipped[0] ?? 0) ^ 0x07; // the three low bits are cleared by clamping
    flipped[31] = (flipped[31] ?? 0) ^ 0x80; // so is the top bit
    expect(toHex(publicKeyOf(SecretKey.fromBytes(flipped)))).toBe(vector.public_key_hex);
  });

  it('generates fresh pairs whose public key matches X25519 of the secret', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.agentId).not.toBe(b.agentId);
    expect(a.agentId).toHaveLength(43);
    expect(toHex(x25519.getPublicKey(a.secretKey.bytesForCrypto()))).toBe(toHex(a.publicKey));
  });
});

describe('SecretKey never shows its bytes', () => {
  const secretKey = SecretKey.fromBase64url(vector.secret_key_b64url);
  const secretTexts = [vector.secret_key_b64url, vector.secret_key_hex];

  it.each([
    ['String()', () => String(secretKey)],
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the conversion under test
    ['template literal', () => `${secretKey}`],
    ['JSON.stringify', () => JSON.stringify({ secretKey })],
    ['util.inspect', () => inspect({ nested: { secretKey } }, { depth: 10 })],
    ['util.inspect showHidden', () => inspect(secretKey, { showHidden: true })],
    ['string concatenation', () => 'key: ' + (secretKey as unknown as string)],
  ])('%s yields the redaction marker', (_, render) => {
    const text = render();
    expect(text).toContain(REDACTED_SECRET_KEY);
    for (const secret of secretTexts) expect(text).not.toContain(secret);
  });

  it('has no enumerable own properties to spread or copy', () => {
    expect(Object.keys(secretKey)).toEqual([]);
    expect(JSON.stringify(Object.assign({}, secretKey))).toBe('{}');
  });

  it('gives out copies of its bytes, so callers cannot change the key', () => {
    const bytes = secretKey.bytesForCrypto();
    bytes.fill(0);
    expect(toHex(secretKey.bytesForCrypto())).toBe(vector.secret_key_hex);
  });

  it('exports its text only through the explicit method', () => {
    expect(secretKey.exportBase64url()).toBe(vector.secret_key_b64url);
  });

  it('refuses byte strings that are not 32 bytes long', () => {
    expect(() => SecretKey.fromBytes(new Uint8Array(31))).toThrow(RangeError);
  });
});

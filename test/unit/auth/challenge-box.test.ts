import { randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  boxKey,
  challengeNonce,
  openChallenge,
  sealChallenge,
  type ChallengeBox,
} from '../../../src/tunnel/auth/challenge-box.js';
import { generateKeyPair } from '../../../src/tunnel/auth/key-pair.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { fromHex, toHex, vectorNamed } from '../../support/vectors.js';

const vector = vectorNamed('sealed_box_challenge', 'sealed_box');
const recipient = SecretKey.fromBytes(fromHex(vector.recipient_secret_key_hex));
const vectorBox: ChallengeBox = { key: fromHex(vector.key), data: fromHex(vector.data), tag: fromHex(vector.tag) };

function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ (1 << bit);
  return copy;
}

describe('challenge sealed box: sealed_box_challenge vector', () => {
  it('derives the nonce as BLAKE2b-24(EPK ‖ PK)', () => {
    expect(
      toHex(challengeNonce(fromHex(vector.ephemeral_public_key_hex), fromHex(vector.recipient_public_key_hex))),
    ).toBe(vector.nonce_hex);
  });

  it('derives the box key as HChaCha20 of the shared secret', () => {
    const shared = x25519.getSharedSecret(
      fromHex(vector.ephemeral_secret_key_hex),
      fromHex(vector.recipient_public_key_hex),
    );
    expect(toHex(shared)).toBe(vector.shared_secret_hex);
    expect(toHex(boxKey(shared))).toBe(vector.box_key_hex);
  });

  it('seals the plaintext to exactly the vector’s key, data and tag', () => {
    const box = sealChallenge(
      fromHex(vector.recipient_public_key_hex),
      fromHex(vector.plaintext_hex),
      SecretKey.fromBytes(fromHex(vector.ephemeral_secret_key_hex)),
    );
    expect(toHex(box.key)).toBe(vector.key);
    expect(toHex(box.data)).toBe(vector.data);
    expect(toHex(box.tag)).toBe(vector.tag);
  });

  it('opens the vector box to the plaintext with the recipient secret key', () => {
    const result = openChallenge(recipient, vectorBox);
    expect(result.ok).toBe(true);
    expect(result.ok && toHex(result.plaintext)).toBe(vector.plaintext_hex);
  });

  it('does not open the legacy crypto_box 0.8 (IETF AEAD) form of the same challenge', () => {
    const legacy = vector.legacy_crypto_box_0_8;
    expect(
      openChallenge(recipient, { key: fromHex(vector.key), data: fromHex(legacy.data), tag: fromHex(legacy.tag) }),
    ).toEqual({ ok: false, failure: 'tag-mismatch' });
  });
});

describe('challenge sealed box: gateway side to agent side', () => {
  it('opens what it sealed, with a fresh ephemeral key each time', () => {
    const agent = generateKeyPair();
    const plaintext = randomBytes(32);
    const first = sealChallenge(agent.publicKey, plaintext);
    const second = sealChallenge(agent.publicKey, plaintext);
    expect(toHex(first.key)).not.toBe(toHex(second.key));
    for (const box of [first, second]) {
      const result = openChallenge(agent.secretKey, box);
      expect(result.ok && toHex(result.plaintext)).toBe(toHex(plaintext));
    }
  });

  const agent = generateKeyPair();
  const sealed = sealChallenge(agent.publicKey, randomBytes(32));

  it('fails with another agent’s key', () => {
    expect(openChallenge(generateKeyPair().secretKey, sealed)).toEqual({ ok: false, failure: 'tag-mismatch' });
  });

  it.each([0, 7, 15])('fails when bit %i of the tag is flipped', (index) => {
    expect(openChallenge(agent.secretKey, { ...sealed, tag: flipBit(sealed.tag, index, index % 8) })).toEqual({
      ok: false,
      failure: 'tag-mismatch',
    });
  });

  it.each([0, 16, 31])('fails when a bit of ciphertext byte %i is flipped', (index) => {
    expect(openChallenge(agent.secretKey, { ...sealed, data: flipBit(sealed.data, index, 3) })).toEqual({
      ok: false,
      failure: 'tag-mismatch',
    });
  });

  it.each([0, 17, 30])('fails when a bit of ephemeral-key byte %i is flipped', (index) => {
    const result = openChallenge(agent.secretKey, { ...sealed, key: flipBit(sealed.key, index, 1) });
    expect(result.ok).toBe(false);
  });

  it('fails on a small-order ephemeral key without throwing', () => {
    const smallOrder = [new Uint8Array(32), Uint8Array.from([1, ...new Uint8Array(31)])];
    for (const key of smallOrder) {
      expect(openChallenge(agent.secretKey, { ...sealed, key })).toEqual({
        ok: false,
        failure: 'invalid-ephemeral-key',
      });
    }
  });

  it('fails on fields of the wrong length without throwing', () => {
    expect(openChallenge(agent.secretKey, { ...sealed, key: sealed.key.subarray(0, 31) })).toEqual({
      ok: false,
      failure: 'malformed',
    });
    expect(openChallenge(agent.secretKey, { ...sealed, tag: sealed.tag.subarray(0, 15) })).toEqual({
      ok: false,
      failure: 'malformed',
    });
  });
});

/**
 * The authentication challenge's sealed box, exactly as the reference's sealed-boxes crate with
 * crypto_box 0.9.1 (PROTOCOL.md §6.3): ephemeral X25519 key, nonce = BLAKE2b-24(EPK ‖ PK),
 * box key = HChaCha20(X25519(esk, PK), 0^16), then the detached XChaCha20 secretbox. The legacy
 * crypto_box 0.8 construction (IETF AEAD) is deliberately not accepted: the 1.3.0 agent answers
 * DecryptionFailed to it.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { KEY_LENGTH } from './base64url.js';
import { publicKeyOf } from './key-pair.js';
import { SecretKey } from './secret-key.js';
import {
  hchacha20,
  SECRETBOX_NONCE_LENGTH,
  SECRETBOX_TAG_LENGTH,
  secretboxOpenDetached,
  secretboxSealDetached,
} from './xchacha20-secretbox.js';

/** `Data<32>` on the wire: the ephemeral public key, the ciphertext and the Poly1305 tag. */
export interface ChallengeBox {
  readonly key: Uint8Array;
  readonly data: Uint8Array;
  readonly tag: Uint8Array;
}

/** Why a box did not open; the agent answers `DecryptionFailed` in every case. */
export type ChallengeFailure =
  /** A field has the wrong length. */
  | 'malformed'
  /** The ephemeral key is of small order (all-zero shared secret) or the curve library refused it. */
  | 'invalid-ephemeral-key'
  /** Wrong recipient, or tampered key, data or tag. */
  | 'tag-mismatch'
  /** Any other exception from the crypto primitives. */
  | 'crypto-error';

export type OpenChallengeResult =
  { readonly ok: true; readonly plaintext: Uint8Array } | { readonly ok: false; readonly failure: ChallengeFailure };

/** BLAKE2b with a 24-byte output over EPK ‖ PK (ephemeral first). */
export function challengeNonce(ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  const input = new Uint8Array(ephemeralPublicKey.length + recipientPublicKey.length);
  input.set(ephemeralPublicKey, 0);
  input.set(recipientPublicKey, ephemeralPublicKey.length);
  return blake2b(input, { dkLen: SECRETBOX_NONCE_LENGTH });
}

/** crypto_box `beforenm`: HChaCha20 of the X25519 shared secret with a zero input. */
export function boxKey(sharedSecret: Uint8Array): Uint8Array {
  return hchacha20(sharedSecret, new Uint8Array(16));
}

/**
 * Gateway side: seals `plaintext` (32 random bytes for a challenge) for `recipientPublicKey`.
 * `ephemeral` is only for test vectors; normally a fresh key is generated.
 */
export function sealChallenge(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  ephemeral: SecretKey = SecretKey.generate(),
): ChallengeBox {
  if (recipientPublicKey.length !== KEY_LENGTH)
    throw new RangeError(`the recipient public key must be ${KEY_LENGTH} bytes`);
  const ephemeralPublicKey = publicKeyOf(ephemeral);
  const nonce = challengeNonce(ephemeralPublicKey, recipientPublicKey);
  const key = boxKey(x25519.getSharedSecret(ephemeral.bytesForCrypto(), recipientPublicKey));
  const { ciphertext, tag } = secretboxSealDetached(key, nonce, plaintext);
  return { key: ephemeralPublicKey, data: ciphertext, tag };
}

/** Agent side: opens a challenge with the agent's secret key; never throws. */
export function openChallenge(secretKey: SecretKey, box: ChallengeBox): OpenChallengeResult {
  if (box.key.length !== KEY_LENGTH || box.tag.length !== SECRETBOX_TAG_LENGTH)
    return { ok: false, failure: 'malformed' };
  const secret = secretKey.bytesForCrypto();
  let sharedSecret: Uint8Array;
  try {
    // noble rejects small-order keys (all-zero shared secret) by throwing.
    sharedSecret = x25519.getSharedSecret(secret, box.key);
  } catch {
    return { ok: false, failure: 'invalid-ephemeral-key' };
  }
  try {
    const nonce = challengeNonce(box.key, x25519.getPublicKey(secret));
    const plaintext = secretboxOpenDetached(boxKey(sharedSecret), nonce, box.data, box.tag);
    return plaintext === null ? { ok: false, failure: 'tag-mismatch' } : { ok: true, plaintext };
  } catch {
    return { ok: false, failure: 'crypto-error' };
  }
}

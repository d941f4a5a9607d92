/** X25519 key pairs and the agent ID (PROTOCOL.md §6.2). */
import { x25519 } from '@noble/curves/ed25519.js';
import { encodeBase64url } from './base64url.js';
import { SecretKey } from './secret-key.js';

export interface KeyPair {
  readonly secretKey: SecretKey;
  /** X25519(clamp(sk), 9), 32 bytes. */
  readonly publicKey: Uint8Array;
  /** base64url of the public key (43 characters); also what `--gen-keypair` prints as `public-key`. */
  readonly agentId: string;
}

/** The public key of a secret key: RFC 7748 X25519 with clamping, as crypto_box 0.9 derives it. */
export function publicKeyOf(secretKey: SecretKey): Uint8Array {
  return x25519.getPublicKey(secretKey.bytesForCrypto());
}

/** The agent ID: base64url without padding of the 32-byte public key. */
export function agentIdOf(publicKey: Uint8Array): string {
  return encodeBase64url(publicKey);
}

export function keyPairOf(secretKey: SecretKey): KeyPair {
  const publicKey = publicKeyOf(secretKey);
  return { secretKey, publicKey, agentId: agentIdOf(publicKey) };
}

export function generateKeyPair(): KeyPair {
  return keyPairOf(SecretKey.generate());
}

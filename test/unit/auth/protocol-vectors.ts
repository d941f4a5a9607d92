/**
 * Reads ../shared/protocol/vectors.json beside the repository (CI clones to an arbitrary path
 * with ../shared next to it). Stand-in until the shared loader in test/support lands.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VECTORS_URL = new URL('../../../../shared/protocol/vectors.json', import.meta.url);

export interface SealedBoxVector {
  readonly kind: 'sealed_box';
  readonly name: string;
  readonly recipient_secret_key_hex: string;
  readonly recipient_public_key_hex: string;
  readonly ephemeral_secret_key_hex: string;
  readonly ephemeral_public_key_hex: string;
  readonly plaintext_hex: string;
  readonly nonce_hex: string;
  readonly shared_secret_hex: string;
  readonly box_key_hex: string;
  readonly key: string;
  readonly data: string;
  readonly tag: string;
  readonly legacy_crypto_box_0_8: { readonly data: string; readonly tag: string };
}

export interface ConfigVector {
  readonly kind: 'config';
  readonly name: string;
  readonly secret_key_b64url: string;
  readonly secret_key_hex: string;
  readonly public_key_hex: string;
  readonly public_key_b64url: string;
  readonly agent_id: string;
  readonly gen_keypair_output: string;
  readonly toml_example: string;
}

function allVectors(): readonly { readonly kind: string; readonly name: string }[] {
  return JSON.parse(readFileSync(fileURLToPath(VECTORS_URL), 'utf8')) as { kind: string; name: string }[];
}

function vectorNamed(kind: string, name: string): unknown {
  const found = allVectors().find((vector) => vector.kind === kind && vector.name === name);
  if (found === undefined) throw new Error(`vectors.json has no ${kind} vector named ${name}`);
  return found;
}

export function sealedBoxVector(name: string): SealedBoxVector {
  return vectorNamed('sealed_box', name) as SealedBoxVector;
}

export function configVector(name: string): ConfigVector {
  return vectorNamed('config', name) as ConfigVector;
}

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

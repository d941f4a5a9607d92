/**
 * Typed access to the shared protocol test vectors, `../shared/protocol/vectors.json` beside the
 * repository (CI clones the repository anywhere with `../shared` next to it). The file is read
 * once and checked against the shapes below, so a changed vector fails loudly here rather than
 * as a confusing assertion elsewhere. Field names are those of the JSON file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, from this file's own location (test/support/vectors.ts). */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));

/** `../shared/protocol` beside the repository: PROTOCOL.md and vectors.json. */
export const sharedProtocolDir: string = path.resolve(repoRoot, '../shared/protocol');

export const vectorsPath: string = path.join(sharedProtocolDir, 'vectors.json');

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type MessageVectorType =
  'Message<Server>' | 'Message<Client>' | 'Message<Connect>' | 'Message<Result<(),ErrorCode>>';

export interface MessageVector {
  readonly kind: 'message';
  readonly name: string;
  readonly description: string;
  readonly value: {
    readonly stream: 'control' | 'data';
    readonly direction: 'gateway->agent' | 'agent->gateway';
    readonly type: MessageVectorType;
    /** `0x` + 16 hex digits. */
    readonly id: string;
    /** The Rust value in the vectors' JSON notation, e.g. `{"Pong": {"re": "0x…"}}`; null = None. */
    readonly data: JsonValue;
    readonly note?: string;
  };
  readonly cbor_hex: string;
  readonly framed_hex: string;
  /** Must decode to `value`, but an encoder does not emit these bytes. */
  readonly decode_only: boolean;
  /** Must be rejected with a protocol error. */
  readonly decode_error: boolean;
}

export interface YamuxFrameVector {
  readonly kind: 'yamux_frame';
  readonly name: string;
  readonly description: string;
  readonly hex: string;
}

export interface SealedBoxVector {
  readonly kind: 'sealed_box';
  readonly name: string;
  readonly description: string;
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
  readonly legacy_crypto_box_0_8: { readonly description: string; readonly data: string; readonly tag: string };
}

export interface ConfigVector {
  readonly kind: 'config';
  readonly name: string;
  readonly description: string;
  readonly secret_key_b64url: string;
  readonly secret_key_hex: string;
  readonly public_key_hex: string;
  readonly public_key_b64url: string;
  readonly agent_id: string;
  readonly gen_keypair_output: string;
  readonly toml_example: string;
}

export type Vector = MessageVector | YamuxFrameVector | SealedBoxVector | ConfigVector;

type JsonObject = { readonly [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(entry: JsonObject, key: string, where: string): string {
  const value = entry[key];
  if (typeof value !== 'string') throw new Error(`${vectorsPath}: ${where}.${key} should be a string`);
  return value;
}

function flag(entry: JsonObject, key: string, where: string): boolean {
  const value = entry[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new Error(`${vectorsPath}: ${where}.${key} should be a boolean`);
  return value;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], where: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined)
    throw new Error(`${vectorsPath}: ${where} is "${value}", expected one of ${allowed.join(', ')}`);
  return found;
}

function texts<K extends string>(entry: JsonObject, keys: readonly K[], where: string): Record<K, string> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) out[key] = text(entry, key, where);
  return out as Record<K, string>;
}

function parseVector(entry: JsonValue, position: number): Vector {
  if (!isObject(entry)) throw new Error(`${vectorsPath}: entry ${position} is not an object`);
  const where = `entry ${position}`;
  const kind = text(entry, 'kind', where);
  const name = text(entry, 'name', where);
  const description = text(entry, 'description', name);
  switch (kind) {
    case 'message': {
      const value = entry.value;
      if (!isObject(value)) throw new Error(`${vectorsPath}: ${name}.value should be an object`);
      const data = value.data;
      if (data === undefined) throw new Error(`${vectorsPath}: ${name}.value.data is missing`);
      const note = value.note;
      return {
        kind,
        name,
        description,
        value: {
          stream: oneOf(text(value, 'stream', name), ['control', 'data'], `${name}.value.stream`),
          direction: oneOf(
            text(value, 'direction', name),
            ['gateway->agent', 'agent->gateway'],
            `${name}.value.direction`,
          ),
          type: oneOf(
            text(value, 'type', name),
            ['Message<Server>', 'Message<Client>', 'Message<Connect>', 'Message<Result<(),ErrorCode>>'],
            `${name}.value.type`,
          ),
          id: text(value, 'id', name),
          data,
          ...(typeof note === 'string' ? { note } : {}),
        },
        cbor_hex: text(entry, 'cbor_hex', name),
        framed_hex: text(entry, 'framed_hex', name),
        decode_only: flag(entry, 'decode_only', name),
        decode_error: flag(entry, 'decode_error', name),
      };
    }
    case 'yamux_frame':
      return { kind, name, description, hex: text(entry, 'hex', name) };
    case 'sealed_box': {
      const legacy = entry.legacy_crypto_box_0_8;
      if (!isObject(legacy)) throw new Error(`${vectorsPath}: ${name}.legacy_crypto_box_0_8 should be an object`);
      return {
        kind,
        name,
        description,
        ...texts(
          entry,
          [
            'recipient_secret_key_hex',
            'recipient_public_key_hex',
            'ephemeral_secret_key_hex',
            'ephemeral_public_key_hex',
            'plaintext_hex',
            'nonce_hex',
            'shared_secret_hex',
            'box_key_hex',
            'key',
            'data',
            'tag',
          ],
          name,
        ),
        legacy_crypto_box_0_8: texts(legacy, ['description', 'data', 'tag'], `${name}.legacy_crypto_box_0_8`),
      };
    }
    case 'config':
      return {
        kind,
        name,
        description,
        ...texts(
          entry,
          [
            'secret_key_b64url',
            'secret_key_hex',
            'public_key_hex',
            'public_key_b64url',
            'agent_id',
            'gen_keypair_output',
            'toml_example',
          ],
          name,
        ),
      };
    default:
      throw new Error(`${vectorsPath}: ${name} has unknown kind "${kind}"`);
  }
}

let cache: readonly Vector[] | undefined;

/** Every vector, in file order. */
export function allVectors(): readonly Vector[] {
  if (cache === undefined) {
    const parsed = JSON.parse(readFileSync(vectorsPath, 'utf8')) as JsonValue;
    if (!Array.isArray(parsed)) throw new Error(`${vectorsPath}: expected a JSON array of vectors`);
    cache = parsed.map(parseVector);
  }
  return cache;
}

export function messageVectors(): readonly MessageVector[] {
  return allVectors().filter((v): v is MessageVector => v.kind === 'message');
}

export function yamuxFrameVectors(): readonly YamuxFrameVector[] {
  return allVectors().filter((v): v is YamuxFrameVector => v.kind === 'yamux_frame');
}

export function sealedBoxVectors(): readonly SealedBoxVector[] {
  return allVectors().filter((v): v is SealedBoxVector => v.kind === 'sealed_box');
}

export function configVectors(): readonly ConfigVector[] {
  return allVectors().filter((v): v is ConfigVector => v.kind === 'config');
}

/** The vector with this name, of the expected kind; throws if there is none. */
export function vectorNamed<K extends Vector['kind']>(name: string, kind: K): Extract<Vector, { kind: K }> {
  const found = allVectors().find((v): v is Extract<Vector, { kind: K }> => v.name === name && v.kind === kind);
  if (found === undefined) throw new Error(`${vectorsPath}: no ${kind} vector named "${name}"`);
  return found;
}

/** Bytes from a hex string (vectors write lower-case hex without separators). */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not a hex string: "${hex}"`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

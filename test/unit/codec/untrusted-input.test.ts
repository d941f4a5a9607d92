/**
 * Decoding bytes from the peer: whatever arrives, the decoders either return a message or throw
 * a ProtocolError, never anything else.
 */
import fc from 'fast-check';
import { decode as cborDecode, encode as cborEncode } from 'cborg';
import { describe, expect, it } from 'vitest';
import {
  ProtocolError,
  decodeClientMessage,
  decodeConnectMessage,
  decodeServerMessage,
  decodeStreamReplyMessage,
  type ProtocolErrorKind,
} from '../../../src/tunnel/codec/index.js';
import { fromHex, messageVectors, toHex } from '../../support/vectors.js';
import { cborItem } from './cbor-items.js';
import { withCodec } from './vector-values.js';

const decoders = [decodeServerMessage, decodeClientMessage, decodeConnectMessage, decodeStreamReplyMessage];
const vectors = messageVectors();
const vectorBodies = vectors.map((v) => fromHex(v.cbor_hex));

/** Runs every decoder; anything thrown must be a ProtocolError. Returns the error kinds seen. */
function decodeAll(bytes: Uint8Array): ProtocolErrorKind[] {
  const kinds: ProtocolErrorKind[] = [];
  for (const decode of decoders) {
    try {
      decode(bytes);
    } catch (error) {
      if (!(error instanceof ProtocolError))
        throw new Error(`non-protocol error for ${toHex(bytes)}`, { cause: error });
      kinds.push(error.kind);
    }
  }
  return kinds;
}

/** A vector body with a few bytes replaced, inserted or removed. */
const mutatedVector = fc
  .tuple(
    fc.constantFrom(...vectorBodies),
    fc.array(fc.tuple(fc.constantFrom('set', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([body, edits]) => {
    const bytes = [...body];
    for (const [op, at, value] of edits) {
      const i = at % (bytes.length + 1);
      if (op === 'set' && i < bytes.length) bytes[i] = value;
      else if (op === 'insert') bytes.splice(i, 0, value);
      else bytes.splice(i, 1);
    }
    return Uint8Array.from(bytes);
  });

describe('untrusted input', () => {
  it('random bytes give a message or a ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        decodeAll(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('random well-formed CBOR gives a message or a ProtocolError', () => {
    fc.assert(
      fc.property(cborItem, (bytes) => {
        decodeAll(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated vectors give a message or a ProtocolError', () => {
    fc.assert(
      fc.property(mutatedVector, (bytes) => {
        decodeAll(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('every strict prefix of a vector is refused as empty or cut short', () => {
    for (const vector of vectors.filter((v) => !v.decode_error)) {
      const body = fromHex(vector.cbor_hex);
      withCodec(vector.value.type, (codec) => {
        for (let length = 0; length < body.length; length += 1) {
          expect(() => codec.decode(body.subarray(0, length))).toThrow(
            expect.objectContaining({ kind: length === 0 ? 'empty' : 'end-of-input' }),
          );
        }
      });
    }
  });

  it('bytes after the message in the frame are ignored, whatever they are', () => {
    const decodable = vectors.filter((v) => !v.decode_error);
    fc.assert(
      fc.property(fc.constantFrom(...decodable), fc.uint8Array({ minLength: 1, maxLength: 16 }), (vector, trailing) => {
        withCodec(vector.value.type, (codec) => {
          const body = fromHex(vector.cbor_hex);
          expect(codec.decode(Uint8Array.from([...body, ...trailing]))).toEqual(codec.decode(body));
        });
      }),
      { numRuns: 500 },
    );
  });
});

type Tree = unknown;

/** Paths to every node of a decoded CBOR tree (array indices; map values by key). */
function paths(tree: Tree, at: (number | { key: unknown })[] = []): (number | { key: unknown })[][] {
  const here = [at];
  if (Array.isArray(tree)) return [...here, ...tree.flatMap((child: Tree, i) => paths(child, [...at, i]))];
  if (tree instanceof Map)
    return [...here, ...[...tree.entries()].flatMap(([key, value]: [unknown, Tree]) => paths(value, [...at, { key }]))];
  return here;
}

function replaceAt(tree: Tree, path: (number | { key: unknown })[], value: Tree): Tree {
  const [step, ...rest] = path;
  if (step === undefined) return value;
  if (typeof step === 'number' && Array.isArray(tree))
    return tree.map((child: Tree, i) => (i === step ? replaceAt(child, rest, value) : child));
  if (typeof step === 'object' && tree instanceof Map)
    return new Map(
      [...tree.entries()].map(([k, v]: [unknown, Tree]) => [k, k === step.key ? replaceAt(v, rest, value) : v]),
    );
  throw new Error('path does not fit the tree');
}

function nodeAt(tree: Tree, path: (number | { key: unknown })[]): Tree {
  let node = tree;
  for (const step of path)
    node = typeof step === 'number' ? (node as Tree[])[step] : (node as Map<unknown, Tree>).get(step.key);
  return node;
}

describe('a wrong CBOR type at any position of any message', () => {
  const encodable = vectors.filter((v) => !v.decode_only && !v.decode_error);

  it.each(encodable.map((v) => [v.name, v] as const))(
    '%s: refused as unexpected-type, unless that position is skipped',
    (_name, vector) => {
      const body = fromHex(vector.cbor_hex);
      const tree: Tree = cborDecode(body, { useMaps: true });
      expect(toHex(cborEncode(tree))).toBe(vector.cbor_hex);
      withCodec(vector.value.type, (codec) => {
        const original = codec.decode(body);
        let refused = 0;
        for (const path of paths(tree)) {
          const node = nodeAt(tree, path);
          for (const wrong of [
            typeof node === 'string' ? 7 : 'x',
            node instanceof Uint8Array || Array.isArray(node) ? true : new Uint8Array(1),
          ]) {
            const mutated = cborEncode(replaceAt(tree, path, wrong));
            try {
              // A position that minicbor skips (the payload of a unit variant) decodes as before.
              expect(codec.decode(mutated)).toEqual(original);
            } catch (error) {
              expect(error, `${JSON.stringify(path)} := ${String(wrong)}`).toMatchObject({
                name: 'ProtocolError',
                kind: 'unexpected-type',
              });
              refused += 1;
            }
          }
        }
        expect(refused).toBeGreaterThanOrEqual(2 * 3);
      });
    },
  );
});

describe('unknown positions and keys at any level of any message', () => {
  const encodable = vectors.filter((v) => !v.decode_only && !v.decode_error);

  it.each(encodable.map((v) => [v.name, v] as const))(
    '%s: skipped in struct bodies, refused in enum arrays and ()',
    (_name, vector) => {
      const body = fromHex(vector.cbor_hex);
      const tree: Tree = cborDecode(body, { useMaps: true });
      withCodec(vector.value.type, (codec) => {
        const original = codec.decode(body);
        let skipped = 0;
        for (const path of paths(tree)) {
          const node = nodeAt(tree, path);
          let extended: Tree;
          // null: a position past the end may be an omitted trailing Option, where null is None.
          if (Array.isArray(node)) extended = [...(node as Tree[]), null];
          else if (node instanceof Map) extended = new Map([...(node as Map<unknown, Tree>).entries(), [99, 'extra']]);
          else continue;
          try {
            expect(codec.decode(cborEncode(replaceAt(tree, path, extended)))).toEqual(original);
            skipped += 1;
          } catch (error) {
            // A longer enum array [variant, fields, extra] or a non-empty () is a shape error.
            expect(error, JSON.stringify(path)).toMatchObject({ name: 'ProtocolError', kind: 'invalid-length' });
          }
        }
        expect(skipped).toBeGreaterThanOrEqual(1);
      });
    },
  );
});

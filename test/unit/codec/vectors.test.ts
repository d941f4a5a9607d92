import { PassThrough } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FrameReader, ProtocolError, encodeFrame, readFrame } from '../../../src/tunnel/codec/index.js';
import { fromHex, messageVectors, toHex } from '../../support/vectors.js';
import { expectedMessage, withCodec } from './vector-values.js';

const vectors = messageVectors();
const decodable = vectors.filter((v) => !v.decode_error);
const encodable = vectors.filter((v) => !v.decode_only && !v.decode_error);
const rejected = vectors.filter((v) => v.decode_error);

describe('message vectors (vectors.json)', () => {
  it('cover every message type, with encodable, decode-only and rejected cases', () => {
    const types = new Set(vectors.map((v) => v.value.type));
    expect([...types].sort()).toEqual([
      'Message<Client>',
      'Message<Connect>',
      'Message<Result<(),ErrorCode>>',
      'Message<Server>',
    ]);
    expect(encodable.length).toBeGreaterThan(40);
    expect(decodable.length).toBeGreaterThan(encodable.length);
    expect(rejected.length).toBeGreaterThan(0);
  });

  it.each(decodable.map((v) => [v.name, v] as const))('%s decodes to its value', (_name, vector) => {
    withCodec(vector.value.type, (codec) => {
      expect(codec.decode(fromHex(vector.cbor_hex))).toEqual(expectedMessage(vector, codec));
    });
  });

  it.each(encodable.map((v) => [v.name, v] as const))(
    '%s encodes to its exact bytes, bare and framed',
    (_name, vector) => {
      withCodec(vector.value.type, (codec) => {
        const body = codec.encode(expectedMessage(vector, codec));
        expect(toHex(body)).toBe(vector.cbor_hex);
        expect(toHex(encodeFrame(body))).toBe(vector.framed_hex);
      });
    },
  );

  it.each(decodable.map((v) => [v.name, v] as const))(
    '%s decodes from its framed bytes, pushed one byte at a time',
    async (_name, vector) => {
      const stream = new PassThrough();
      const bodies: Buffer[] = [];
      const reading = (async () => {
        for await (const body of new FrameReader(stream)) bodies.push(body);
      })();
      for (const byte of fromHex(vector.framed_hex)) {
        stream.write(Uint8Array.of(byte));
        await nextTurn();
      }
      stream.end();
      await reading;
      expect(bodies.map(toHex)).toEqual([vector.cbor_hex]);
      withCodec(vector.value.type, (codec) => {
        expect(codec.decode(bodies[0] ?? new Uint8Array())).toEqual(expectedMessage(vector, codec));
      });
    },
  );

  it.each(decodable.map((v) => [v.name, v] as const))('%s reads from a stream as one frame', async (_name, vector) => {
    const stream = new PassThrough();
    stream.end(fromHex(vector.framed_hex));
    const body = await readFrame(stream);
    expect(body === null ? null : toHex(body)).toBe(vector.cbor_hex);
    expect(await readFrame(stream)).toBeNull();
  });

  it.each(rejected.map((v) => [v.name, v] as const))('%s is rejected with a protocol error', (_name, vector) => {
    withCodec(vector.value.type, (codec) => {
      expect(() => codec.decode(fromHex(vector.cbor_hex))).toThrow(ProtocolError);
    });
  });

  it('rejects the indefinite-length enum as an enum-shape error, not as an unknown variant', () => {
    const vector = rejected.find((v) => v.name === 'server_pong_indefinite_enum_rejected');
    expect(vector).toBeDefined();
    withCodec(vector?.value.type ?? 'Message<Server>', (codec) => {
      expect(() => codec.decode(fromHex(vector?.cbor_hex ?? ''))).toThrow(
        expect.objectContaining({ kind: 'indefinite-enum' }),
      );
    });
  });
});

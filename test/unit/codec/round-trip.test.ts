import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeClientMessage,
  decodeConnectMessage,
  decodeServerMessage,
  decodeStreamReplyMessage,
  freshMessageId,
  usesHalfClose,
  encodeClientMessage,
  encodeConnectMessage,
  encodeFrame,
  encodeServerMessage,
  encodeStreamReplyMessage,
  MAX_MESSAGE_ID,
  ProtocolError,
  type Message,
} from '../../../src/tunnel/codec/index.js';
import { decodeMessage } from '../../../src/tunnel/codec/message.js';
import { frameBodies } from './frame-bodies.js';
import { clientMessage, connect, message, serverMessage, streamReply } from './arbitraries.js';

const MAX_U64_PLUS_ONE = 0x1_0000_0000_0000_0000n;

interface Codec<D> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<Message<D>>;
  readonly encode: (message: Message<D>) => Uint8Array;
  readonly decode: (body: Uint8Array) => Message<D>;
}

function roundTrips<D>(codec: Codec<D>): void {
  describe(codec.name, () => {
    it('decodes what it encodes', () => {
      fc.assert(
        fc.property(codec.arbitrary, (msg) => {
          expect(codec.decode(codec.encode(msg))).toEqual(msg);
        }),
        { numRuns: 500 },
      );
    });

    it('re-encodes decoded bytes to the same bytes, also through framing', () => {
      fc.assert(
        fc.property(codec.arbitrary, (msg) => {
          const body = codec.encode(msg);
          const [framedBody, ...rest] = frameBodies(encodeFrame(body));
          expect(rest).toHaveLength(0);
          expect(Buffer.from(codec.encode(codec.decode(framedBody ?? new Uint8Array())))).toEqual(Buffer.from(body));
        }),
        { numRuns: 300 },
      );
    });

    it('uses the shortest integer head for the id', () => {
      fc.assert(
        fc.property(codec.arbitrary, (msg) => {
          const body = codec.encode(msg);
          const idHead = body[1] ?? -1;
          const width = msg.id < 24n ? 0 : msg.id < 256n ? 1 : msg.id < 65_536n ? 2 : msg.id <= 0xffff_ffffn ? 4 : 8;
          expect(idHead).toBe(width === 0 ? Number(msg.id) : { 1: 0x18, 2: 0x19, 4: 0x1a, 8: 0x1b }[width]);
        }),
        { numRuns: 200 },
      );
    });
  });
}

roundTrips({
  name: 'Message<Server>',
  arbitrary: message(serverMessage),
  encode: encodeServerMessage,
  decode: decodeServerMessage,
});
roundTrips({
  name: 'Message<Client>',
  arbitrary: message(clientMessage),
  encode: encodeClientMessage,
  decode: decodeClientMessage,
});
roundTrips({
  name: 'Message<Connect>',
  arbitrary: message(connect),
  encode: encodeConnectMessage,
  decode: decodeConnectMessage,
});
roundTrips({
  name: 'Message<Result<(), ErrorCode>>',
  arbitrary: message(streamReply),
  encode: encodeStreamReplyMessage,
  decode: decodeStreamReplyMessage,
});

describe('encoding details a peer sees', () => {
  it('writes a message without data as [id] (minicbor drops the trailing None)', () => {
    expect(Buffer.from(encodeServerMessage({ id: 5n, data: null })).toString('hex')).toBe('8105');
    expect(decodeServerMessage(Uint8Array.of(0x81, 0x05))).toEqual({ id: 5n, data: null });
  });

  it('omits a null Client::Error code and msg from the map, and writes them when present', () => {
    const none = encodeClientMessage({ id: 1n, data: { type: 'Error', re: 2n, code: null, msg: null } });
    expect(Buffer.from(none).toString('hex')).toBe('82018204a10002');
    const msgOnly = encodeClientMessage({ id: 1n, data: { type: 'Error', re: 2n, code: null, msg: 'x' } });
    expect(Buffer.from(msgOnly).toString('hex')).toBe('82018204a20002026178');
  });

  it('refuses values the wire cannot carry instead of writing something else', () => {
    expect(() => encodeServerMessage({ id: MAX_U64_PLUS_ONE, data: { type: 'Ping' } })).toThrow(RangeError);
    expect(() => encodeServerMessage({ id: -1n, data: { type: 'Ping' } })).toThrow(RangeError);
    expect(() =>
      encodeServerMessage({ id: 1n, data: { type: 'Test', addr: { kind: 'name', name: 'db', port: 65_536 } } }),
    ).toThrow(RangeError);
    expect(() =>
      encodeServerMessage({ id: 1n, data: { type: 'Test', addr: { kind: 'addr', family: 4, ip: '::1', port: 1 } } }),
    ).toThrow(RangeError);
    expect(() =>
      encodeServerMessage({
        id: 1n,
        data: { type: 'Test', addr: { kind: 'addr', family: 6, ip: '1.2.3.4', port: 1 } },
      }),
    ).toThrow(RangeError);
    expect(() => encodeServerMessage({ id: 1n, data: { type: 'Error', msg: 'lone \ud800 surrogate' } })).toThrow(
      RangeError,
    );
    const short = new Uint8Array(31);
    expect(() =>
      encodeServerMessage({
        id: 1n,
        data: { type: 'Challenge', text: { key: short, data: new Uint8Array(32), tag: new Uint8Array(16) } },
      }),
    ).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(524_289))).toThrow(RangeError);
  });

  it('accepts any IPv6 text form on encode and decodes it to the canonical form', () => {
    const bytes = encodeServerMessage({
      id: 1n,
      data: { type: 'Test', addr: { kind: 'addr', family: 6, ip: '2001:DB8:0:0:0:0:0:1', port: 5432 } },
    });
    expect(decodeServerMessage(bytes).data).toEqual({
      type: 'Test',
      addr: { kind: 'addr', family: 6, ip: '2001:db8::1', port: 5432 },
    });
  });
});

describe('message helpers', () => {
  it('draws fresh ids from the whole u64 range', () => {
    const ids = Array.from({ length: 64 }, freshMessageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id >= 0n && id <= MAX_MESSAGE_ID)).toBe(true);
    expect(ids.some((id) => id > 0xffff_ffff_ffffn)).toBe(true);
  });

  it('reads use_half_close as the agent acts on it: only true means half close', () => {
    const addr = { kind: 'name', name: 'db', port: 1 } as const;
    expect([true, false, null].map((useHalfClose) => usesHalfClose({ addr, useHalfClose }))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('turns a failure inside a data decoder into a ProtocolError', () => {
    const failing = (): never => {
      throw new TypeError('decoder bug');
    };
    expect(() => decodeMessage(Uint8Array.of(0x82, 0x01, 0x80), 'Message<X>', failing)).toThrow(ProtocolError);
  });
});

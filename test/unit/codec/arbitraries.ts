/** fast-check generators for every message type, biased toward the edges the wire cares about. */
import fc from 'fast-check';
import {
  ERROR_CODES,
  MAX_MESSAGE_ID,
  REASONS,
  type Address,
  type ClientMessage,
  type Connect,
  type Message,
  type ServerMessage,
  type StreamReply,
} from '../../../src/tunnel/codec/index.js';
import { formatIpv4, formatIpv6 } from '../../../src/tunnel/codec/ip-address.js';

/** u64 ids, with the head-width boundaries and both extremes drawn often. */
export const messageId = fc.oneof(
  fc.constantFrom(
    0n,
    23n,
    24n,
    255n,
    256n,
    65_535n,
    65_536n,
    0xffff_ffffn,
    0x1_0000_0000n,
    MAX_MESSAGE_ID - 1n,
    MAX_MESSAGE_ID,
  ),
  fc.bigInt(0n, MAX_MESSAGE_ID),
);

const port = fc.oneof(fc.constantFrom(0, 23, 24, 255, 256, 5432, 65_535), fc.integer({ min: 0, max: 65_535 }));

/** Unicode text including astral characters and combining sequences (always valid UTF-16). */
export const unicodeText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 300 }),
);

/** DNS-like names up to the 253-character limit, plus arbitrary text: the wire takes any string. */
const hostName = fc.oneof(
  fc.domain(),
  fc
    .array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/), { minLength: 1, maxLength: 8 })
    .map((labels) => labels.join('.').slice(0, 253)),
  unicodeText,
);

const ipv4Bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });
const ipv6Bytes = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  // Zero runs, IPv4-mapped and IPv4-compatible shapes, which have special text forms.
  fc
    .tuple(
      fc.integer({ min: 0, max: 7 }),
      fc.integer({ min: 0, max: 8 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
    )
    .map(([start, length, bytes]) => {
      const out = Uint8Array.from(bytes);
      out.fill(0, start * 2, Math.min(16, (start + length) * 2));
      return out;
    }),
  ipv4Bytes.map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])),
);

export const address: fc.Arbitrary<Address> = fc.oneof(
  fc.record({
    kind: fc.constant('addr' as const),
    family: fc.constant(4 as const),
    ip: ipv4Bytes.map(formatIpv4),
    port,
  }),
  fc.record({
    kind: fc.constant('addr' as const),
    family: fc.constant(6 as const),
    ip: ipv6Bytes.map(formatIpv6),
    port,
  }),
  fc.record({ kind: fc.constant('name' as const), name: hostName, port }),
);

const bytes = (length: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: length, maxLength: length });
const errorCode = fc.constantFrom(...ERROR_CODES);

export const serverMessage: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc.constant({ type: 'Ping' as const }),
  fc.record({ type: fc.constant('Pong' as const), re: messageId }),
  fc.record({
    type: fc.constant('Challenge' as const),
    text: fc.record({ key: bytes(32), data: bytes(32), tag: bytes(16) }),
  }),
  fc.record({ type: fc.constant('Terminate' as const), reason: fc.constantFrom(...REASONS) }),
  fc.record({ type: fc.constant('Test' as const), addr: address }),
  fc.constant({ type: 'SwitchToNewConnection' as const }),
  fc.record({ type: fc.constant('Error' as const), msg: unicodeText }),
  fc.constant({ type: 'Accepted' as const }),
);

const versionPart = fc.oneof(fc.bigInt(0n, 100n), fc.bigInt(0n, MAX_MESSAGE_ID));

export const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({
    type: fc.constant('Hello' as const),
    pubkey: fc.oneof(bytes(32), fc.uint8Array({ maxLength: 64 })),
    agentVersion: fc.record({ major: versionPart, minor: versionPart, patch: versionPart }),
  }),
  fc.constant({ type: 'Ping' as const }),
  fc.record({ type: fc.constant('Pong' as const), re: messageId }),
  fc.record({
    type: fc.constant('Response' as const),
    re: messageId,
    text: fc.oneof(bytes(32), fc.uint8Array({ maxLength: 64 })),
  }),
  fc.record({
    type: fc.constant('Error' as const),
    re: messageId,
    code: fc.option(errorCode, { nil: null }),
    msg: fc.option(unicodeText, { nil: null }),
  }),
  fc.record({ type: fc.constant('Test' as const), re: messageId, code: fc.option(errorCode, { nil: null }) }),
  fc.record({ type: fc.constant('SwitchingConnection' as const), re: messageId }),
);

export const connect: fc.Arbitrary<Connect> = fc.record({
  addr: address,
  useHalfClose: fc.constantFrom(true, false, null),
});

export const streamReply: fc.Arbitrary<StreamReply> = fc.oneof(
  fc.constant({ ok: true as const }),
  fc.record({ ok: fc.constant(false as const), code: errorCode }),
);

/** An envelope around `data`; `data: null` is drawn now and then (encoded as `[id]`). */
export function message<D>(data: fc.Arbitrary<D>): fc.Arbitrary<Message<D>> {
  return fc.record({ id: messageId, data: fc.option(data, { nil: null, freq: 10 }) });
}

/**
 * Gateway → agent control messages, `Message<Server>` (PROTOCOL.md §5.2). Each variant is
 * `[index, [fields…]]`; unit variants are `[index, []]`.
 */
import { type Address, decodeAddress, encodeAddress } from './address.js';
import type { CborReader } from './cbor-reader.js';
import type { CborWriter } from './cbor-writer.js';
import {
  decodeArrayFields,
  decodeByteArray,
  decodeVariantIndex,
  requireField,
  unknownVariant,
} from './derived-decoding.js';
import { type Message, type MessageId, decodeMessage, encodeMessage } from './message.js';
import { type Reason, decodeReason, encodeReason } from './reason.js';

/** A sealed-box challenge (`Data<32>`, §6.3): ephemeral public key, ciphertext, Poly1305 tag. */
export interface CipherText {
  /** 32 bytes. */
  readonly key: Uint8Array;
  /** 32 bytes. */
  readonly data: Uint8Array;
  /** 16 bytes. */
  readonly tag: Uint8Array;
}

export type ServerMessage =
  | { readonly type: 'Ping' }
  | { readonly type: 'Pong'; readonly re: MessageId }
  | { readonly type: 'Challenge'; readonly text: CipherText }
  | { readonly type: 'Terminate'; readonly reason: Reason }
  | { readonly type: 'Test'; readonly addr: Address }
  | { readonly type: 'SwitchToNewConnection' }
  | { readonly type: 'Error'; readonly msg: string }
  | { readonly type: 'Accepted' };

export type ServerMessageType = ServerMessage['type'];

/** Wire index of each variant. */
const INDEX: Readonly<Record<ServerMessageType, number>> = {
  Ping: 0,
  Pong: 1,
  Challenge: 2,
  Terminate: 3,
  Test: 4,
  SwitchToNewConnection: 5,
  Error: 6,
  Accepted: 7,
};

const KEY_LENGTH = 32;
const CHALLENGE_LENGTH = 32;
const TAG_LENGTH = 16;

/** Throws RangeError for values the wire cannot carry (id out of u64, wrong challenge sizes…). */
export function encodeServerMessage(message: Message<ServerMessage>): Uint8Array {
  return encodeMessage(message, encodeServer);
}

/** Decodes a control frame body from the gateway; throws only ProtocolError. */
export function decodeServerMessage(body: Uint8Array): Message<ServerMessage> {
  return decodeMessage(body, 'Message<Server>', decodeServer);
}

function encodeServer(writer: CborWriter, message: ServerMessage): void {
  writer.array(2).uint(INDEX[message.type], 'variant');
  switch (message.type) {
    case 'Ping':
    case 'SwitchToNewConnection':
    case 'Accepted':
      writer.array(0);
      return;
    case 'Pong':
      writer.array(1).uint(message.re, 'Pong.re');
      return;
    case 'Challenge': {
      const { key, data, tag } = message.text;
      checkLength(key, KEY_LENGTH, 'Challenge key');
      checkLength(data, CHALLENGE_LENGTH, 'Challenge data');
      checkLength(tag, TAG_LENGTH, 'Challenge tag');
      writer.array(1).array(3).bytes(key).bytes(data).bytes(tag);
      return;
    }
    case 'Terminate':
      writer.array(1);
      encodeReason(writer, message.reason);
      return;
    case 'Test':
      writer.array(1);
      encodeAddress(writer, message.addr);
      return;
    case 'Error':
      writer.array(1).text(message.msg, 'Error.msg');
      return;
  }
}

function decodeServer(reader: CborReader): ServerMessage {
  const variantAt = reader.position;
  const variant = decodeVariantIndex(reader, 'Server');
  const fieldsAt = reader.position;
  switch (variant) {
    case INDEX.Ping:
      reader.skip();
      return { type: 'Ping' };
    case INDEX.Pong: {
      let re: MessageId | undefined;
      decodeArrayFields(reader, 'Server::Pong', (index) => {
        if (index === 0) re = reader.u64('Server::Pong re');
        else reader.skip();
      });
      return { type: 'Pong', re: requireField(re, 'Server::Pong re (field 0)', fieldsAt) };
    }
    case INDEX.Challenge: {
      let text: CipherText | undefined;
      decodeArrayFields(reader, 'Server::Challenge', (index) => {
        if (index === 0) text = decodeCipherText(reader);
        else reader.skip();
      });
      return { type: 'Challenge', text: requireField(text, 'Server::Challenge text (field 0)', fieldsAt) };
    }
    case INDEX.Terminate: {
      let reason: Reason | undefined;
      decodeArrayFields(reader, 'Server::Terminate', (index) => {
        if (index === 0) reason = decodeReason(reader);
        else reader.skip();
      });
      return { type: 'Terminate', reason: requireField(reason, 'Server::Terminate reason (field 0)', fieldsAt) };
    }
    case INDEX.Test: {
      let addr: Address | undefined;
      decodeArrayFields(reader, 'Server::Test', (index) => {
        if (index === 0) addr = decodeAddress(reader);
        else reader.skip();
      });
      return { type: 'Test', addr: requireField(addr, 'Server::Test addr (field 0)', fieldsAt) };
    }
    case INDEX.SwitchToNewConnection:
      reader.skip();
      return { type: 'SwitchToNewConnection' };
    case INDEX.Error: {
      let msg: string | undefined;
      decodeArrayFields(reader, 'Server::Error', (index) => {
        if (index === 0) msg = reader.text('Server::Error msg');
        else reader.skip();
      });
      return { type: 'Error', msg: requireField(msg, 'Server::Error msg (field 0)', fieldsAt) };
    }
    case INDEX.Accepted:
      reader.skip();
      return { type: 'Accepted' };
    default:
      throw unknownVariant('Server', variant, variantAt);
  }
}

/** `Data<32>`: an array struct of three fixed-size byte strings. */
function decodeCipherText(reader: CborReader): CipherText {
  const start = reader.position;
  let key: Uint8Array | undefined;
  let data: Uint8Array | undefined;
  let tag: Uint8Array | undefined;
  decodeArrayFields(reader, 'Challenge text', (index) => {
    if (index === 0) key = decodeByteArray(reader, KEY_LENGTH, 'Challenge key');
    else if (index === 1) data = decodeByteArray(reader, CHALLENGE_LENGTH, 'Challenge data');
    else if (index === 2) tag = decodeByteArray(reader, TAG_LENGTH, 'Challenge tag');
    else reader.skip();
  });
  return {
    key: requireField(key, 'Challenge key (field 0)', start),
    data: requireField(data, 'Challenge data (field 1)', start),
    tag: requireField(tag, 'Challenge tag (field 2)', start),
  };
}

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
}

/**
 * Agent → gateway control messages, `Message<Client>` (PROTOCOL.md §5.3). Variants are
 * `[index, [fields…]]` with trailing None fields dropped, except `Error`, which is map-encoded
 * with None fields omitted.
 */
import type { CborReader } from './cbor-reader.js';
import type { CborWriter } from './cbor-writer.js';
import {
  KEEP_FIELD,
  decodeArrayFields,
  decodeMapFields,
  decodeOptionField,
  decodeVariantIndex,
  requireField,
  unknownVariant,
} from './derived-decoding.js';
import { type ErrorCode, decodeErrorCode, encodeErrorCode } from './error-code.js';
import { type Message, type MessageId, decodeMessage, encodeMessage } from './message.js';

/** The agent's version, `[major, minor, patch]` (u64 each on the wire). */
export interface Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
}

export type ClientMessage =
  /** First message on the control stream: the agent's X25519 public key and version. */
  | { readonly type: 'Hello'; readonly pubkey: Uint8Array; readonly agentVersion: Version }
  | { readonly type: 'Ping' }
  | { readonly type: 'Pong'; readonly re: MessageId }
  /** The decrypted challenge plaintext. */
  | { readonly type: 'Response'; readonly re: MessageId; readonly text: Uint8Array }
  | { readonly type: 'Error'; readonly re: MessageId; readonly code: ErrorCode | null; readonly msg: string | null }
  /** `code: null` means the test connection succeeded. */
  | { readonly type: 'Test'; readonly re: MessageId; readonly code: ErrorCode | null }
  | { readonly type: 'SwitchingConnection'; readonly re: MessageId };

export type ClientMessageType = ClientMessage['type'];

const INDEX: Readonly<Record<ClientMessageType, number>> = {
  Hello: 0,
  Ping: 1,
  Pong: 2,
  Response: 3,
  Error: 4,
  Test: 5,
  SwitchingConnection: 6,
};

/** `1.3.0`. */
export function formatVersion(version: Version): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

/** Throws RangeError for values the wire cannot carry (ids or version parts outside u64…). */
export function encodeClientMessage(message: Message<ClientMessage>): Uint8Array {
  return encodeMessage(message, encodeClient);
}

/** Decodes a control frame body from the agent; throws only ProtocolError. */
export function decodeClientMessage(body: Uint8Array): Message<ClientMessage> {
  return decodeMessage(body, 'Message<Client>', decodeClient);
}

function encodeClient(writer: CborWriter, message: ClientMessage): void {
  writer.array(2).uint(INDEX[message.type], 'variant');
  switch (message.type) {
    case 'Hello': {
      const { major, minor, patch } = message.agentVersion;
      writer.array(2).bytes(message.pubkey);
      writer.array(3).uint(major, 'version major').uint(minor, 'version minor').uint(patch, 'version patch');
      return;
    }
    case 'Ping':
      writer.array(0);
      return;
    case 'Pong':
    case 'SwitchingConnection':
      writer.array(1).uint(message.re, `${message.type}.re`);
      return;
    case 'Response':
      writer.array(2).uint(message.re, 'Response.re').bytes(message.text);
      return;
    case 'Error': {
      writer.map(1 + (message.code === null ? 0 : 1) + (message.msg === null ? 0 : 1));
      writer.uint(0, 'key').uint(message.re, 'Error.re');
      if (message.code !== null) encodeErrorCode(writer.uint(1, 'key'), message.code);
      if (message.msg !== null) writer.uint(2, 'key').text(message.msg, 'Error.msg');
      return;
    }
    case 'Test':
      if (message.code === null) {
        writer.array(1).uint(message.re, 'Test.re');
      } else {
        encodeErrorCode(writer.array(2).uint(message.re, 'Test.re'), message.code);
      }
      return;
  }
}

function decodeClient(reader: CborReader): ClientMessage {
  const variantAt = reader.position;
  const variant = decodeVariantIndex(reader, 'Client');
  const fieldsAt = reader.position;
  switch (variant) {
    case INDEX.Hello: {
      let pubkey: Uint8Array | undefined;
      let agentVersion: Version | undefined;
      decodeArrayFields(reader, 'Client::Hello', (index) => {
        if (index === 0) pubkey = reader.bytes('Client::Hello pubkey');
        else if (index === 1) agentVersion = decodeVersion(reader);
        else reader.skip();
      });
      return {
        type: 'Hello',
        pubkey: requireField(pubkey, 'Client::Hello pubkey (field 0)', fieldsAt),
        agentVersion: requireField(agentVersion, 'Client::Hello agent_version (field 1)', fieldsAt),
      };
    }
    case INDEX.Ping:
      reader.skip();
      return { type: 'Ping' };
    case INDEX.Pong:
    case INDEX.SwitchingConnection: {
      const type = variant === INDEX.Pong ? 'Pong' : 'SwitchingConnection';
      let re: MessageId | undefined;
      decodeArrayFields(reader, `Client::${type}`, (index) => {
        if (index === 0) re = reader.u64(`Client::${type} re`);
        else reader.skip();
      });
      return { type, re: requireField(re, `Client::${type} re (field 0)`, fieldsAt) };
    }
    case INDEX.Response: {
      let re: MessageId | undefined;
      let text: Uint8Array | undefined;
      decodeArrayFields(reader, 'Client::Response', (index) => {
        if (index === 0) re = reader.u64('Client::Response re');
        else if (index === 1) text = reader.bytes('Client::Response text');
        else reader.skip();
      });
      return {
        type: 'Response',
        re: requireField(re, 'Client::Response re (field 0)', fieldsAt),
        text: requireField(text, 'Client::Response text (field 1)', fieldsAt),
      };
    }
    case INDEX.Error: {
      let re: MessageId | undefined;
      let code: ErrorCode | null = null;
      let msg: string | null = null;
      decodeMapFields(reader, 'Client::Error', (key) => {
        if (key === 0) {
          re = reader.u64('Client::Error re');
        } else if (key === 1) {
          const value = decodeOptionField(reader, () => decodeErrorCode(reader));
          if (value !== KEEP_FIELD) code = value;
        } else if (key === 2) {
          const value = decodeOptionField(reader, () => reader.text('Client::Error msg'));
          if (value !== KEEP_FIELD) msg = value;
        } else {
          reader.skip();
        }
      });
      return { type: 'Error', re: requireField(re, 'Client::Error re (key 0)', fieldsAt), code, msg };
    }
    case INDEX.Test: {
      let re: MessageId | undefined;
      let code: ErrorCode | null = null;
      decodeArrayFields(reader, 'Client::Test', (index) => {
        if (index === 0) {
          re = reader.u64('Client::Test re');
        } else if (index === 1) {
          const value = decodeOptionField(reader, () => decodeErrorCode(reader));
          if (value !== KEEP_FIELD) code = value;
        } else {
          reader.skip();
        }
      });
      return { type: 'Test', re: requireField(re, 'Client::Test re (field 0)', fieldsAt), code };
    }
    default:
      throw unknownVariant('Client', variant, variantAt);
  }
}

function decodeVersion(reader: CborReader): Version {
  const start = reader.position;
  const parts: (bigint | undefined)[] = [undefined, undefined, undefined];
  decodeArrayFields(reader, 'Version', (index) => {
    if (index < 3) parts[index] = reader.u64(`Version part ${index}`);
    else reader.skip();
  });
  return {
    major: requireField(parts[0], 'Version major (field 0)', start),
    minor: requireField(parts[1], 'Version minor (field 1)', start),
    patch: requireField(parts[2], 'Version patch (field 2)', start),
  };
}

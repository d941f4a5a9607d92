/**
 * Reads the Rust values in vectors.json (their JSON notation, e.g. `{"Pong": {"re": "0x…"}}`)
 * into the codec's TypeScript types, independently of the codec itself, so that vector tests
 * compare against what the file says rather than against the codec's own output.
 */
import {
  ERROR_CODES,
  REASONS,
  decodeClientMessage,
  decodeConnectMessage,
  decodeServerMessage,
  decodeStreamReplyMessage,
  encodeClientMessage,
  encodeConnectMessage,
  encodeServerMessage,
  encodeStreamReplyMessage,
  type Address,
  type ClientMessage,
  type Connect,
  type ErrorCode,
  type Message,
  type Reason,
  type ServerMessage,
  type StreamReply,
} from '../../../src/tunnel/codec/index.js';
import { type JsonValue, type MessageVector, type MessageVectorType, fromHex } from '../../support/vectors.js';

type JsonObject = { readonly [key: string]: JsonValue };

function object(value: JsonValue | undefined, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${what}: expected an object`);
  return value;
}

function str(value: JsonValue | undefined, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string`);
  return value;
}

function num(value: JsonValue | undefined, what: string): number {
  if (typeof value !== 'number') throw new Error(`${what}: expected a number`);
  return value;
}

/** The single `{"Variant": fields}` entry of an enum value. */
function variant(value: JsonValue, what: string): [string, JsonValue] {
  const entries = Object.entries(object(value, what));
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) throw new Error(`${what}: expected one variant key`);
  return entry;
}

function id(value: JsonValue | undefined, what: string): bigint {
  return BigInt(str(value, what));
}

function errorCode(value: JsonValue | undefined, what: string): ErrorCode | null {
  if (value === null) return null;
  const name = str(value, what);
  const code = ERROR_CODES.find((c) => c === name);
  if (code === undefined) throw new Error(`${what}: unknown error code ${name}`);
  return code;
}

function reason(value: JsonValue | undefined, what: string): Reason {
  const name = str(value, what);
  const found = REASONS.find((r) => r === name);
  if (found === undefined) throw new Error(`${what}: unknown reason ${name}`);
  return found;
}

/** `{"Addr": "1.2.3.4:5"}`, `{"Addr": "[::1]:5"}` or `{"Name": ["host", 5]}`. */
export function addressFromJson(value: JsonValue, what: string): Address {
  const [kind, fields] = variant(value, what);
  if (kind === 'Name') {
    if (!Array.isArray(fields)) throw new Error(`${what}: Name takes [name, port]`);
    return { kind: 'name', name: str(fields[0], what), port: num(fields[1], what) };
  }
  const textForm = str(fields, what);
  const v6 = /^\[(.*)\]:(\d+)$/.exec(textForm);
  if (v6 !== null) return { kind: 'addr', family: 6, ip: v6[1] ?? '', port: Number(v6[2]) };
  const [ip = '', port = ''] = textForm.split(':');
  return { kind: 'addr', family: 4, ip, port: Number(port) };
}

export function serverFromJson(data: JsonValue): ServerMessage | null {
  if (data === null) return null;
  const [type, raw] = variant(data, 'Server');
  const fields = object(raw, type);
  switch (type) {
    case 'Ping':
    case 'SwitchToNewConnection':
    case 'Accepted':
      return { type };
    case 'Pong':
      return { type, re: id(fields.re, 'Pong.re') };
    case 'Challenge': {
      const text = object(fields.text, 'Challenge.text');
      return {
        type,
        text: {
          key: fromHex(str(text.key, 'key')),
          data: fromHex(str(text.data, 'data')),
          tag: fromHex(str(text.tag, 'tag')),
        },
      };
    }
    case 'Terminate':
      return { type, reason: reason(fields.reason, 'Terminate.reason') };
    case 'Test':
      return { type, addr: addressFromJson(fields.addr ?? null, 'Test.addr') };
    case 'Error':
      return { type, msg: str(fields.msg, 'Error.msg') };
    default:
      throw new Error(`unknown Server variant ${type}`);
  }
}

export function clientFromJson(data: JsonValue): ClientMessage | null {
  if (data === null) return null;
  const [type, raw] = variant(data, 'Client');
  const fields = object(raw, type);
  switch (type) {
    case 'Hello': {
      const version = fields.agent_version;
      if (!Array.isArray(version)) throw new Error('Hello.agent_version: expected [major, minor, patch]');
      const [major, minor, patch] = version.map((part) => BigInt(num(part, 'version part')));
      if (major === undefined || minor === undefined || patch === undefined)
        throw new Error('Hello.agent_version: three parts');
      return { type, pubkey: fromHex(str(fields.pubkey, 'pubkey')), agentVersion: { major, minor, patch } };
    }
    case 'Ping':
      return { type };
    case 'Pong':
    case 'SwitchingConnection':
      return { type, re: id(fields.re, `${type}.re`) };
    case 'Response':
      return { type, re: id(fields.re, 'Response.re'), text: fromHex(str(fields.text, 'Response.text')) };
    case 'Error':
      return {
        type,
        re: id(fields.re, 'Error.re'),
        code: errorCode(fields.code ?? null, 'Error.code'),
        msg: fields.msg === null ? null : str(fields.msg, 'Error.msg'),
      };
    case 'Test':
      return { type, re: id(fields.re, 'Test.re'), code: errorCode(fields.code ?? null, 'Test.code') };
    default:
      throw new Error(`unknown Client variant ${type}`);
  }
}

export function connectFromJson(data: JsonValue): Connect | null {
  if (data === null) return null;
  const fields = object(data, 'Connect');
  const half = fields.use_half_close;
  if (half !== null && typeof half !== 'boolean') throw new Error('Connect.use_half_close: expected a bool or null');
  return { addr: addressFromJson(fields.addr ?? null, 'Connect.addr'), useHalfClose: half ?? null };
}

export function streamReplyFromJson(data: JsonValue): StreamReply | null {
  if (data === null) return null;
  const [kind, value] = variant(data, 'Result');
  if (kind === 'Ok') return { ok: true };
  const code = errorCode(value, 'Err');
  if (code === null) throw new Error('Err: expected an error code');
  return { ok: false, code };
}

/** A message type's codec plus the reader of its vector notation. */
export interface VectorCodec<D> {
  readonly decode: (body: Uint8Array) => Message<D>;
  readonly encode: (message: Message<D>) => Uint8Array;
  readonly fromJson: (data: JsonValue) => D | null;
}

const serverCodec: VectorCodec<ServerMessage> = {
  decode: decodeServerMessage,
  encode: encodeServerMessage,
  fromJson: serverFromJson,
};
const clientCodec: VectorCodec<ClientMessage> = {
  decode: decodeClientMessage,
  encode: encodeClientMessage,
  fromJson: clientFromJson,
};
const connectCodec: VectorCodec<Connect> = {
  decode: decodeConnectMessage,
  encode: encodeConnectMessage,
  fromJson: connectFromJson,
};
const replyCodec: VectorCodec<StreamReply> = {
  decode: decodeStreamReplyMessage,
  encode: encodeStreamReplyMessage,
  fromJson: streamReplyFromJson,
};

/** Runs `use` with the codec matching the vector's message type. */
export function withCodec<R>(type: MessageVectorType, use: <D>(codec: VectorCodec<D>) => R): R {
  switch (type) {
    case 'Message<Server>':
      return use(serverCodec);
    case 'Message<Client>':
      return use(clientCodec);
    case 'Message<Connect>':
      return use(connectCodec);
    case 'Message<Result<(),ErrorCode>>':
      return use(replyCodec);
  }
}

/** The message a vector's `value` describes. */
export function expectedMessage<D>(vector: MessageVector, codec: VectorCodec<D>): Message<D> {
  return { id: BigInt(vector.value.id), data: codec.fromJson(vector.value.data) };
}

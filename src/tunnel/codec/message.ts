/**
 * The envelope every framed message travels in (PROTOCOL.md §5.1): `[id, data]`, where `id` is
 * a random u64 and `data` an `Option<D>`. A missing, null or unknown-variant `data` decodes as
 * `data: null`; the reference agent logs and ignores such messages.
 */
import { randomBytes } from 'node:crypto';
import { CborReader } from './cbor-reader.js';
import { CborWriter } from './cbor-writer.js';
import { KEEP_FIELD, decodeArrayFields, decodeOptionField, requireField } from './derived-decoding.js';
import { ProtocolError } from './protocol-error.js';

/** A u64 message id; replies carry the id they answer in their `re` field. */
export type MessageId = bigint;

export interface Message<D> {
  readonly id: MessageId;
  /** null when the peer sent no data, null, or a variant this protocol version does not know. */
  readonly data: D | null;
}

export const MAX_MESSAGE_ID: MessageId = 0xffff_ffff_ffff_ffffn;

/** A fresh random id from the OS RNG, as the reference agent uses for every message it sends. */
export function freshMessageId(): MessageId {
  return randomBytes(8).readBigUInt64BE(0);
}

/** 16 lower-case hex digits, as the reference agent prints ids in its logs. */
export function formatMessageId(id: MessageId): string {
  return id.toString(16).padStart(16, '0');
}

/** Encodes `[id, data]`, or `[id]` when data is null (minicbor drops a trailing None). */
export function encodeMessage<D>(message: Message<D>, encodeData: (writer: CborWriter, data: D) => void): Uint8Array {
  const writer = new CborWriter();
  if (message.data === null) {
    writer.array(1).uint(message.id, 'message id');
  } else {
    writer.array(2).uint(message.id, 'message id');
    encodeData(writer, message.data);
  }
  return writer.finish();
}

/**
 * Decodes the first CBOR item of a frame body as `Message<D>`; bytes after the item are ignored,
 * as minicbor::decode ignores them. Throws only ProtocolError.
 */
export function decodeMessage<D>(body: Uint8Array, what: string, decodeData: (reader: CborReader) => D): Message<D> {
  if (body.length === 0) throw new ProtocolError('empty', `expected ${what}, found an empty frame body`);
  const reader = new CborReader(body);
  try {
    let id: MessageId | undefined;
    let data: D | null = null;
    decodeArrayFields(reader, what, (index) => {
      if (index === 0) {
        id = reader.u64(`${what} id`);
      } else if (index === 1) {
        const value = decodeOptionField(reader, () => decodeData(reader));
        if (value !== KEEP_FIELD) data = value;
      } else {
        reader.skip();
      }
    });
    return { id: requireField(id, `${what} id (field 0)`, 0), data };
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // A decoder bug must not surface as anything but a protocol error to the caller.
    throw new ProtocolError(
      'invalid-cbor',
      `could not decode ${what}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

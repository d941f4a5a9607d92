/**
 * The agent's one reply on a data stream, `Message<Result<(), ErrorCode>>` (PROTOCOL.md §5.4):
 * `[0, []]` when connected (raw bytes follow), `[1, code]` when refused or failed.
 */
import type { CborReader } from './cbor-reader.js';
import type { CborWriter } from './cbor-writer.js';
import { decodeUnit, decodeVariantIndex, unknownVariant } from './derived-decoding.js';
import { type ErrorCode, decodeErrorCode, encodeErrorCode } from './error-code.js';
import { type Message, decodeMessage, encodeMessage } from './message.js';

export type StreamReply = { readonly ok: true } | { readonly ok: false; readonly code: ErrorCode };

const OK = 0;
const ERR = 1;

export function encodeStreamReplyMessage(message: Message<StreamReply>): Uint8Array {
  return encodeMessage(message, encodeStreamReply);
}

/** Decodes the reply frame body the gateway reads; throws only ProtocolError. */
export function decodeStreamReplyMessage(body: Uint8Array): Message<StreamReply> {
  return decodeMessage(body, 'Message<Result<(), ErrorCode>>', decodeStreamReply);
}

function encodeStreamReply(writer: CborWriter, reply: StreamReply): void {
  if (reply.ok) {
    writer.array(2).uint(OK, 'result variant').array(0);
  } else {
    encodeErrorCode(writer.array(2).uint(ERR, 'result variant'), reply.code);
  }
}

function decodeStreamReply(reader: CborReader): StreamReply {
  const variantAt = reader.position;
  const variant = decodeVariantIndex(reader, 'Result');
  if (variant === OK) {
    decodeUnit(reader, 'Ok(())');
    return { ok: true };
  }
  if (variant === ERR) return { ok: false, code: decodeErrorCode(reader) };
  throw unknownVariant('Result', variant, variantAt);
}

/**
 * The yamux frame header (PROTOCOL.md §2.2): 12 bytes, big-endian.
 *
 *   version u8 (0) | type u8 | flags u16 | stream id u32 | length u32
 *
 * `length` is the body length of a Data frame, the credit delta of a WindowUpdate, the nonce of a
 * Ping and the error code of a GoAway; only Data frames carry a body.
 */
import { MuxProtocolError } from './errors.js';

export const HEADER_LENGTH = 12;
export const YAMUX_VERSION = 0;

/** Stream id 0 addresses the session as a whole (Ping, GoAway). */
export const SESSION_STREAM_ID = 0;

/** The window every stream starts with in both directions, fixed by the yamux spec. */
export const INITIAL_STREAM_WINDOW = 256 * 1024;

/** Largest value a u32 header field can hold (stream ids, lengths, credit). */
export const MAX_U32 = 0xffff_ffff;

export const FrameType = {
  Data: 0,
  WindowUpdate: 1,
  Ping: 2,
  GoAway: 3,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const Flag = {
  SYN: 0x1,
  ACK: 0x2,
  FIN: 0x4,
  RST: 0x8,
} as const;

export const GoAwayCode = {
  Normal: 0,
  ProtocolError: 1,
  InternalError: 2,
} as const;
export type GoAwayCode = (typeof GoAwayCode)[keyof typeof GoAwayCode];

export interface FrameHeader {
  type: FrameType;
  /** Bitwise OR of `Flag` values (u16). */
  flags: number;
  streamId: number;
  /** Body length (Data), credit (WindowUpdate), nonce (Ping) or code (GoAway). */
  length: number;
}

const FRAME_TYPE_NAMES = ['Data', 'WindowUpdate', 'Ping', 'GoAway'] as const;

export function frameTypeName(type: number): string {
  return FRAME_TYPE_NAMES[type] ?? `type ${type}`;
}

/**
 * Writes a header at `offset` of `target` (which must have 12 bytes there). The hot path of the
 * writer calls this with plain numbers so that no header object is allocated per frame.
 */
export function writeFrameHeader(
  target: Buffer,
  offset: number,
  type: FrameType,
  flags: number,
  streamId: number,
  length: number,
): void {
  target[offset] = YAMUX_VERSION;
  target[offset + 1] = type;
  target.writeUInt16BE(flags, offset + 2);
  target.writeUInt32BE(streamId, offset + 4);
  target.writeUInt32BE(length, offset + 8);
}

/** Encodes a header into a new 12-byte buffer. */
export function encodeFrameHeader(header: Readonly<FrameHeader>): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH);
  writeFrameHeader(out, 0, header.type, header.flags, header.streamId, header.length);
  return out;
}

/**
 * Reads the header at `offset` of `source` into `into` (reused by the decoder, so parsing a frame
 * allocates nothing). Throws `MuxProtocolError` for a version other than 0 or an unknown type,
 * which yamux 0.10 treats as fatal decode errors.
 */
export function readFrameHeader(source: Buffer, offset: number, into: FrameHeader): FrameHeader {
  const version = source[offset];
  if (version !== YAMUX_VERSION) throw new MuxProtocolError(`unsupported yamux version ${String(version)}`);
  const type = source[offset + 1] ?? -1;
  if (type > FrameType.GoAway || type < 0) throw new MuxProtocolError(`unknown frame type ${type}`);
  into.type = type as FrameType;
  into.flags = source.readUInt16BE(offset + 2);
  into.streamId = source.readUInt32BE(offset + 4);
  into.length = source.readUInt32BE(offset + 8);
  return into;
}

/** Decodes the header at the start of `source` into a new object. */
export function decodeFrameHeader(source: Buffer, offset = 0): FrameHeader {
  if (source.length - offset < HEADER_LENGTH)
    throw new RangeError(`a frame header needs ${HEADER_LENGTH} bytes, got ${source.length - offset}`);
  return readFrameHeader(source, offset, { type: FrameType.Data, flags: 0, streamId: 0, length: 0 });
}

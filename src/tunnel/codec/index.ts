/**
 * The wire codec: minicbor-io framing and the typed CBOR messages of the reference agent 1.3.0
 * (PROTOCOL.md §3–§5). Everything the engine and the gateway need is exported here.
 */
export { ProtocolError, isProtocolError, type ProtocolErrorKind } from './protocol-error.js';

export { FRAME_PREFIX_LENGTH, MAX_FRAME_LENGTH, encodeFrame, readFrameLength } from './frame-format.js';
export { readFrame, type ReadFrameOptions } from './read-frame.js';
export { FrameReader } from './frame-reader.js';
export { writeFrame } from './write-frame.js';

export { MAX_MESSAGE_ID, formatMessageId, freshMessageId, type Message, type MessageId } from './message.js';
export {
  decodeServerMessage,
  encodeServerMessage,
  type CipherText,
  type ServerMessage,
  type ServerMessageType,
} from './server-message.js';
export {
  decodeClientMessage,
  encodeClientMessage,
  formatVersion,
  type ClientMessage,
  type ClientMessageType,
  type Version,
} from './client-message.js';
export { decodeConnectMessage, encodeConnectMessage, usesHalfClose, type Connect } from './connect.js';
export { decodeStreamReplyMessage, encodeStreamReplyMessage, type StreamReply } from './stream-reply.js';

export type { Address, IpFamily } from './address.js';
export { formatAddress, parseAddress, type AddressParseResult } from './address-text.js';
export { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip-address.js';
export { ERROR_CODES, errorCodeText, type ErrorCode } from './error-code.js';
export { REASONS, isPermanentReason, reasonText, type Reason } from './reason.js';

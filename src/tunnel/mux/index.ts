/** yamux multiplexer: see session.ts for the public API. */
export { Session, type InboundLimit, type SessionMode, type SessionOptions, type SessionStats } from './session.js';
export { MuxStream, type StreamDirection } from './stream.js';
export { HEAP_GROWING_PERCENT, RELAY_NODE_FLAGS, tuneHeapForRelaying } from './heap-tuning.js';
export { DEFAULT_MUX_CONFIG, YAMUX_0_10_CONFIG, resolveMuxConfig, type MuxConfig } from './config.js';
export {
  MuxConnectionLostError,
  MuxError,
  MuxProtocolError,
  MuxRemoteGoAwayError,
  MuxSessionClosedError,
  MuxStreamLimitError,
  MuxStreamResetError,
  MuxTimeoutError,
  type MuxErrorCode,
} from './errors.js';
export {
  Flag,
  FrameType,
  GoAwayCode,
  HEADER_LENGTH,
  INITIAL_STREAM_WINDOW,
  decodeFrameHeader,
  encodeFrameHeader,
  type FrameHeader,
} from './frame-header.js';

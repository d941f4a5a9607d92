/**
 * Errors the multiplexer reports. Every one is a `MuxError` with a stable `code` string so that
 * callers (the engine, the UI) can branch without parsing messages.
 */

export type MuxErrorCode =
  | 'MUX_PROTOCOL_ERROR'
  | 'MUX_REMOTE_GO_AWAY'
  | 'MUX_CONNECTION_LOST'
  | 'MUX_SESSION_CLOSED'
  | 'MUX_STREAM_RESET'
  | 'MUX_STREAM_LIMIT'
  | 'MUX_TIMEOUT';

export class MuxError extends Error {
  readonly code: MuxErrorCode;

  constructor(code: MuxErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * The peer broke the protocol (or we hit an internal limit): we sent GoAway with `goAwayCode`
 * (1 protocol error, 2 internal error) and closed the session.
 */
export class MuxProtocolError extends MuxError {
  readonly goAwayCode: number;

  constructor(message: string, goAwayCode = 1) {
    super('MUX_PROTOCOL_ERROR', message);
    this.goAwayCode = goAwayCode;
  }
}

/** The peer sent GoAway with a non-zero code (1 protocol error, 2 internal error, or other). */
export class MuxRemoteGoAwayError extends MuxError {
  readonly goAwayCode: number;

  constructor(goAwayCode: number) {
    const what = goAwayCode === 1 ? 'protocol error' : goAwayCode === 2 ? 'internal error' : `code ${goAwayCode}`;
    super('MUX_REMOTE_GO_AWAY', `peer closed the session with GoAway (${what})`);
    this.goAwayCode = goAwayCode;
  }
}

/** The underlying connection ended or failed without a GoAway. */
export class MuxConnectionLostError extends MuxError {
  constructor(message: string, cause?: unknown) {
    super('MUX_CONNECTION_LOST', message, cause === undefined ? undefined : { cause });
  }
}

/** The session is closing or closed: a stream was cut off, or an operation came too late. */
export class MuxSessionClosedError extends MuxError {
  constructor(message = 'session closed', cause?: unknown) {
    super('MUX_SESSION_CLOSED', message, cause === undefined ? undefined : { cause });
  }
}

/** The peer reset the stream (RST). */
export class MuxStreamResetError extends MuxError {
  readonly streamId: number;

  constructor(streamId: number) {
    super('MUX_STREAM_RESET', `stream ${streamId} was reset by the peer`);
    this.streamId = streamId;
  }
}

/** `open()` refused: the session already has `maxStreams` streams. */
export class MuxStreamLimitError extends MuxError {
  constructor(limit: number) {
    super('MUX_STREAM_LIMIT', `the session already has the maximum of ${limit} streams`);
  }
}

/** A ping or keepalive got no answer in time. */
export class MuxTimeoutError extends MuxError {
  constructor(message: string) {
    super('MUX_TIMEOUT', message);
  }
}

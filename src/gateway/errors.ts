/**
 * Errors the gateway API rejects with. Each has a stable `code` so that callers (the admin API,
 * the CLI, tests) branch without parsing messages.
 */
import type { ErrorCode } from '../tunnel/codec/index.js';

export type GatewayErrorCode =
  /** The agent id (or name) is not in the registry. */
  | 'UNKNOWN_AGENT'
  /** The agent has no accepted connection right now. */
  | 'AGENT_NOT_CONNECTED'
  /** The agent refused or failed to open a data stream (see `StreamOpenError.outcome`). */
  | 'STREAM_OPEN_FAILED'
  /** The connection the request travelled on ended before its answer came. */
  | 'CONNECTION_LOST'
  /** No answer within the allotted time. */
  | 'TIMEOUT'
  /** A request the gateway cannot carry out (bad target text, route already listening, …). */
  | 'INVALID_REQUEST'
  /** The gateway is closing or closed. */
  | 'GATEWAY_CLOSED';

export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * How a data stream failed to open:
 * - `refused`: the agent replied `[id, [1, code]]` (`code` is set);
 * - `reset-without-reply`: the stream was reset before any reply. yamux 0.10 can put the agent's
 *   RST on the wire before its error reply, so this is a failed connect whose code is unknown;
 * - `closed-without-reply`: the agent ended the stream (FIN) without replying;
 * - `invalid-reply`: the first frame was not a `Message<Result<(), ErrorCode>>`;
 * - `connection-lost`: the whole connection ended first;
 * - `timeout`: no reply within `replyTimeoutMs`.
 */
export type StreamOpenOutcome =
  'refused' | 'reset-without-reply' | 'closed-without-reply' | 'invalid-reply' | 'connection-lost' | 'timeout';

export class StreamOpenError extends GatewayError {
  readonly outcome: StreamOpenOutcome;
  /** The agent's error code, when it sent one (only for `refused`). */
  readonly errorCode: ErrorCode | null;

  constructor(outcome: StreamOpenOutcome, errorCode: ErrorCode | null, message: string, options?: ErrorOptions) {
    super('STREAM_OPEN_FAILED', message, options);
    this.outcome = outcome;
    this.errorCode = errorCode;
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/**
 * Opening one data stream (PROTOCOL.md §5.4, §9.8): open a yamux stream, send `Message<Connect>`
 * (map form; `use_half_close` only when asked, absent otherwise), read exactly one reply frame.
 * `[id, [0, []]]` hands the stream over for raw bytes (anything the agent sent right behind the
 * reply stays buffered in it); anything else destroys it and rejects with `StreamOpenError`.
 */
import {
  type Address,
  type ErrorCode,
  decodeStreamReplyMessage,
  encodeConnectMessage,
  errorCodeText,
  formatAddress,
  freshMessageId,
  isProtocolError,
  readFrame,
  writeFrame,
} from '../tunnel/codec/index.js';
import { type MuxStream, MuxStreamResetError } from '../tunnel/mux/index.js';
import { StreamOpenError } from './errors.js';

export interface ConnectRequest {
  readonly target: Address;
  readonly halfClose: boolean;
  /** Give up waiting for the reply after this long. */
  readonly replyTimeoutMs: number;
}

/**
 * Sends Connect on a freshly opened stream and waits for the reply. Resolves with the same
 * stream, ready for raw bytes (paused); on failure the stream is destroyed (RST if still open).
 */
export async function connectDataStream(stream: MuxStream, request: ConnectRequest): Promise<MuxStream> {
  const target = formatAddress(request.target);
  const timeout = AbortSignal.timeout(request.replyTimeoutMs);
  try {
    const connect = encodeConnectMessage({
      id: freshMessageId(),
      data: { addr: request.target, useHalfClose: request.halfClose ? true : null },
    });
    await writeFrame(stream, connect);
    const body = await readFrame(stream, { signal: timeout });
    if (body === null)
      throw new StreamOpenError(
        'closed-without-reply',
        null,
        `the agent closed the stream to ${target} without a reply`,
      );
    let reply;
    try {
      reply = decodeStreamReplyMessage(body);
    } catch (error) {
      throw new StreamOpenError(
        'invalid-reply',
        null,
        `the agent's reply for ${target} is not a Result: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (reply.data === null)
      throw new StreamOpenError('invalid-reply', null, `the agent's reply for ${target} has no result`);
    if (!reply.data.ok) throw refused(target, reply.data.code);
    return stream;
  } catch (error) {
    stream.destroy();
    throw asStreamOpenError(error, target, timeout);
  }
}

function refused(target: string, code: ErrorCode): StreamOpenError {
  return new StreamOpenError('refused', code, `the agent refused ${target}: ${errorCodeText(code)}`);
}

function asStreamOpenError(error: unknown, target: string, timeout: AbortSignal): StreamOpenError {
  if (error instanceof StreamOpenError) return error;
  if (error instanceof MuxStreamResetError) {
    // yamux 0.10 may put the agent's RST before its error reply: a failed connect, code unknown.
    return new StreamOpenError(
      'reset-without-reply',
      null,
      `the agent reset the stream to ${target} without a reply (a failed connect)`,
      { cause: error },
    );
  }
  if (timeout.aborted)
    return new StreamOpenError('timeout', null, `no reply from the agent for ${target} in time`, { cause: error });
  if (isProtocolError(error)) {
    const outcome = error.kind === 'truncated' ? 'closed-without-reply' : 'invalid-reply';
    return new StreamOpenError(outcome, null, `no usable reply for ${target}: ${error.message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StreamOpenError(
    'connection-lost',
    null,
    `the connection ended before the agent replied for ${target}: ${message}`,
    { cause: error },
  );
}

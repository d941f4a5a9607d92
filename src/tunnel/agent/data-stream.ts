/**
 * One data stream opened by the gateway (PROTOCOL.md §7.5), as the reference's `streamer`:
 *
 * 1. read exactly one frame, `Message<Connect>` (raw bytes behind it stay in the stream);
 *    end of stream, a bad frame or an unknown message → the stream is dropped without a reply;
 * 2. allowlist check → `AddressNotAllowed`;
 * 3. resolve + TCP connect within `connect-timeout` → `CouldNotConnect`;
 * 4. reply `Ok`, then relay bytes (relay.ts) in half- or full-close mode.
 *
 * A refusal is written first and only then is the stream closed (FIN), so the gateway always
 * reads the reply. (The reference drops the stream right after queueing the reply, and yamux
 * can put the RST on the wire first; PROTOCOL.md §2.6.)
 */
import type { Address, ErrorCode } from '../codec/index.js';
import {
  decodeConnectMessage,
  encodeStreamReplyMessage,
  formatMessageId,
  freshMessageId,
  readFrame,
  usesHalfClose,
  writeFrame,
} from '../codec/index.js';
import type { Allowlist } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { MuxStream } from '../mux/index.js';
import { isAddressAllowed } from './address-check.js';
import type { Clock } from './clock.js';
import { describeError, failureCode } from './connect-error.js';
import type { Resolver } from './lookup.js';
import { startRelay, type RelayHooks } from './relay.js';
import type { StreamTable } from './stream-table.js';
import { connectTarget, type TargetSocket } from './target-connect.js';
import { TargetReader } from './target-reader.js';
import { targetText } from './target-text.js';

export interface DataStreamContext {
  /** Which gateway connection carries the stream, and whether it is draining. */
  readonly connection: number;
  readonly draining: boolean;
  readonly allowlist: Allowlist;
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly resolver: Resolver;
  readonly table: StreamTable;
  /** `cluvio_agent::stream`. */
  readonly log: Logger;
  /** The agent is stopping: end everything now. */
  readonly signal: AbortSignal;
}

/** What became of a stream, for the agent's own bookkeeping. */
export type DataStreamOutcome = 'dropped' | 'refused' | 'failed' | 'relayed';

/** Serves the stream to its end; never rejects and leaves no socket behind. */
export function serveDataStream(stream: MuxStream, context: DataStreamContext): Promise<DataStreamOutcome> {
  // A late error on a stream we already gave up must not become an uncaught exception.
  stream.on('error', ignore);
  // While bytes flow (or the stream idles) this promise is all that is pending: the setup below
  // settles once the relay has started, and the relay reports its end through a callback.
  return new Promise<DataStreamOutcome>((resolve) => {
    serve(stream, context, resolve).catch((error: unknown) => {
      resolve(failed(stream, context, error));
    });
  });
}

/** An unexpected error while serving: logged, the stream dropped. */
function failed(stream: MuxStream, context: DataStreamContext, error: unknown): DataStreamOutcome {
  context.log.debug('data stream failed', { stream: stream.id, error: describeError(error) });
  stream.destroy();
  return 'failed';
}

/** Reads `Connect`, checks, connects and replies, then starts the relay; `done` receives the outcome. */
async function serve(
  stream: MuxStream,
  context: DataStreamContext,
  done: (outcome: DataStreamOutcome) => void,
): Promise<void> {
  const { log, signal } = context;
  let frame: Buffer | null;
  try {
    await firstBytes(stream);
    frame = await readFrame(stream, { signal });
  } catch (error) {
    done(drop(stream, context, `cbor error: ${describeError(error)}`));
    return;
  }
  if (frame === null) {
    done(drop(stream, context, 'i/o error: unexpected end of file'));
    return;
  }
  let message;
  try {
    message = decodeConnectMessage(frame);
  } catch (error) {
    done(drop(stream, context, `cbor error: ${describeError(error)}`));
    return;
  }
  const id = formatMessageId(message.id);
  const connect = message.data;
  if (connect === null) {
    done(drop(stream, context, `unknown message type: ${id}`));
    return;
  }

  // Printable and bounded: it goes into log lines, the stream table and the UI.
  const target = targetText(connect.addr);
  const halfClose = usesHalfClose(connect);
  const entry = context.table.open({
    id: stream.id,
    connection: context.connection,
    draining: context.draining,
    target,
    halfClose,
    messageId: id,
  });

  if (!isAddressAllowed(connect.addr, context.allowlist)) {
    log.error('address not allowed', { address: target });
    await refuse(stream, 'AddressNotAllowed');
    entry.close('address not allowed');
    done('refused');
    return;
  }

  const reader = new TargetReader();
  let connected: TargetSocket;
  try {
    connected = await connectTo(connect.addr, id, context, reader);
  } catch (error) {
    if (signal.aborted) {
      stream.destroy();
      entry.close('stopped');
      done('failed');
      return;
    }
    log.warn(`failed to connect to ${target}: ${describeError(error)}`, { id });
    await refuse(stream, 'CouldNotConnect');
    entry.close(`could not connect: ${describeError(error)}`, failureCode(error));
    done('refused');
    return;
  }
  const { socket, resolved } = connected;
  log.debug(`connected to ${target}`, { id });
  entry.connected(resolved, socket);

  try {
    await writeFrame(stream, encodeStreamReplyMessage({ id: freshMessageId(), data: { ok: true } }));
  } catch (error) {
    socket.destroy();
    stream.destroy();
    entry.close(`could not reply: ${describeError(error)}`);
    done('failed');
    return;
  }
  entry.setPhase('open');

  const started = performance.now();
  const hooks: RelayHooks = {
    onGatewayClosed: () => {
      entry.setPhase('remote-closed');
    },
    onTargetClosed: () => {
      entry.setPhase('local-closed');
    },
  };
  startRelay(stream, socket, reader, halfClose, hooks, signal, (outcome) => {
    // Called from a socket's event: whatever the bookkeeping throws must not escape into the emitter.
    let result: DataStreamOutcome = outcome.error === null ? 'relayed' : 'failed';
    try {
      // As the reference prints its `Option<io::Result<u64>>`s: the direction a full close cut short is `None`.
      log.debug('data transfer finished', () => ({
        id,
        to: target,
        recv: outcome.decidedBy === 'target' ? 'None' : `Some(Ok(${outcome.received}))`,
        sent: outcome.decidedBy === 'gateway' ? 'None' : `Some(Ok(${outcome.sent}))`,
        time: Number(((performance.now() - started) / 1000).toFixed(7)),
      }));
      entry.close(outcome.error);
    } catch (error) {
      result = failed(stream, context, error);
    }
    done(result);
  });
}

function connectTo(
  address: Address,
  id: string,
  context: DataStreamContext,
  reader: TargetReader,
): Promise<TargetSocket> {
  const target = targetText(address);
  context.log.debug(`connecting to internal address ${target}`, { id });
  return connectTarget(address, {
    onread: reader.onread,
    timeoutMs: context.connectTimeoutMs,
    clock: context.clock,
    resolver: context.resolver,
    signal: context.signal,
    onAddressFailed: (address, error) => {
      context.log.debug(`failed to connect to ${address} (${target}): ${describeError(error)}`);
    },
  });
}

/** Drops a stream that never carried a usable `Connect`: no reply (RST, or FIN if the gateway had closed). */
function drop(stream: MuxStream, context: DataStreamContext, reason: string): DataStreamOutcome {
  context.log.debug('dropping data stream without reply', { stream: stream.id, reason });
  stream.destroy();
  return 'dropped';
}

/** Writes the error reply, then half-closes and forgets the stream (the reply always comes first). */
async function refuse(stream: MuxStream, code: ErrorCode): Promise<void> {
  try {
    await writeFrame(stream, encodeStreamReplyMessage({ id: freshMessageId(), data: { ok: false, code } }));
    await endStream(stream);
  } catch {
    // The gateway reset the stream or the session ended: nothing left to tell it.
  } finally {
    stream.destroy();
  }
}

/** Resolves once our FIN is queued (or the stream is gone). */
function endStream(stream: MuxStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableFinished) {
      resolve();
      return;
    }
    const done = (): void => {
      stream.off('finish', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('finish', done);
    stream.on('close', done);
    stream.end();
  });
}

/**
 * Resolves once `stream` has bytes to read, has ended or is gone, holding one listener function
 * meanwhile. Every stream the gateway opens waits here for its `Connect`, thousands at once if a
 * gateway so wishes (up to the stream limit), and `readFrame`'s machinery (a waiter with five
 * listeners, an abort listener, its promises: 1.9 KiB measured) would be allocated for each; the
 * agent's stop ends the wait by closing the streams.
 */
function firstBytes(stream: MuxStream): Promise<void> {
  if (stream.readableLength > 0 || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('readable', done);
      stream.off('end', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('readable', done);
    stream.on('end', done);
    stream.on('close', done);
  });
}

function ignore(): void {
  // deliberately empty
}

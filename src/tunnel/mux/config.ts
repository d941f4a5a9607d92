/**
 * Multiplexer settings. The defaults reproduce yamux 0.10.2's wire behaviour (PROTOCOL.md §2.1)
 * except where noted: receive windows may grow (auto-tuning), outgoing frames are cut so that a
 * frame fits one TLS record, and writes are coalesced. `YAMUX_0_10_CONFIG` turns every deviation
 * off.
 */
import { INITIAL_STREAM_WINDOW, MAX_U32 } from './frame-header.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** One TLS record carries at most 16 KiB of plaintext; header + body fill exactly one. */
const TLS_RECORD_PLAINTEXT = 16 * KIB;

export interface MuxConfig {
  /**
   * Receive window each stream starts with. 256 KiB (the spec's default) means no window update
   * is needed to open a stream; larger values are announced with a SYN WindowUpdate, as 0.10 does.
   */
  readonly initialStreamWindow: number;
  /**
   * Grow a stream's receive window (doubling, up to `maxStreamWindow`) when the application
   * consumes a window faster than about one round trip. Needs an RTT, measured with a Ping the
   * first time a window update is due. Off = exactly yamux 0.10's fixed window.
   */
  readonly autoTuneWindow: boolean;
  /** Largest receive window a stream grows to. */
  readonly maxStreamWindow: number;
  /** Total bytes by which all streams of a session together may grow beyond their initial window. */
  readonly maxSessionWindowGrowth: number;
  /** Largest Data body accepted from the peer (0.10: max_buffer_size, 1 MiB); larger is a protocol error. */
  readonly maxIncomingFrameBody: number;
  /** Largest Data body we send (0.10: split_send_size, 16 KiB). Never above 1 MiB: a 0.10 peer refuses that. */
  readonly maxOutgoingFrameBody: number;
  /** Streams open at once, both directions together (0.10: 8192). */
  readonly maxStreams: number;
  /** Inbound streams held while nobody listens for 'stream'; beyond this they are reset (0.10: 2048). */
  readonly inboundBacklog: number;
  /** Interval of keepalive pings in ms; 0 = off (the reference agent sends none). */
  readonly keepAliveIntervalMs: number;
  /** How long a ping (keepalive, RTT probe, `ping()` default) waits for its answer. */
  readonly pingTimeoutMs: number;
  /** Upper bound for `close()`: flushing, GoAway and waiting for the peer to hang up. */
  readonly closeTimeoutMs: number;
  /**
   * Frames queued in one tick are written together; a batch is written early once it reaches
   * this size. Under load, frames accumulate while one write is in flight, up to this: 256 KiB
   * makes one TLS write per 256 KiB instead of per 64 KiB (a quarter of the write syscalls and
   * of the times senders park; buffers this large are kept only while data flows).
   */
  readonly writeBatchBytes: number;
  /**
   * Bytes a stream's writable side buffers before `write()` returns false. Above one 64 KiB
   * socket read, so that piping a socket into a stream does not pause and resume the socket
   * after every read while the stream keeps up.
   */
  readonly streamWriteBufferBytes: number;
  /** Call `setNoDelay(true)` on the transport if it has that method (TCP/TLS sockets). */
  readonly noDelay: boolean;
  /**
   * Bytes of frames the write queue may hold beyond what data alone can fill it with (two
   * batches) before the session stops reading the peer's frames, until the queue is back under
   * that bound. What goes beyond is what the peer makes us send without reading it: Ping ACKs,
   * resets of refused streams (yamux 0.10 stops reading whenever such a reply waits for its
   * sink). 64 KiB = 5,461 12-byte replies.
   */
  readonly replyBacklogBytes: number;
}

export const DEFAULT_MUX_CONFIG: Readonly<MuxConfig> = Object.freeze({
  initialStreamWindow: INITIAL_STREAM_WINDOW,
  autoTuneWindow: true,
  maxStreamWindow: 16 * MIB,
  maxSessionWindowGrowth: 64 * MIB,
  maxIncomingFrameBody: 1 * MIB,
  maxOutgoingFrameBody: TLS_RECORD_PLAINTEXT - 12,
  maxStreams: 8192,
  inboundBacklog: 2048,
  keepAliveIntervalMs: 0,
  pingTimeoutMs: 10_000,
  closeTimeoutMs: 5_000,
  writeBatchBytes: 256 * KIB,
  streamWriteBufferBytes: 128 * KIB,
  noDelay: true,
  replyBacklogBytes: 64 * KIB,
});

/** yamux 0.10.2 `Config::default()` as the reference agent uses it: fixed windows, 16 KiB frames. */
export const YAMUX_0_10_CONFIG: Readonly<Partial<MuxConfig>> = Object.freeze({
  autoTuneWindow: false,
  maxOutgoingFrameBody: 16 * KIB,
});

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(`mux config: ${message}`);
}

function isCount(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

/** Fills in defaults and rejects values that would break the protocol or the peer. */
export function resolveMuxConfig(overrides: Partial<MuxConfig> = {}): Readonly<MuxConfig> {
  // An explicit `undefined` (e.g. an unset CLI option passed through) means "use the default".
  const defined = Object.fromEntries(
    (Object.entries(overrides) as [string, unknown][]).filter(([, v]) => v !== undefined),
  ) as Partial<MuxConfig>;
  const c: MuxConfig = { ...DEFAULT_MUX_CONFIG, ...defined };
  check(
    isCount(c.initialStreamWindow, INITIAL_STREAM_WINDOW, MAX_U32),
    `initialStreamWindow must be an integer from ${INITIAL_STREAM_WINDOW} to 2^32-1`,
  );
  check(
    isCount(c.maxStreamWindow, c.initialStreamWindow, MAX_U32),
    'maxStreamWindow must be an integer from initialStreamWindow to 2^32-1',
  );
  check(
    isCount(c.maxSessionWindowGrowth, 0, Number.MAX_SAFE_INTEGER),
    'maxSessionWindowGrowth must be a non-negative integer',
  );
  check(
    isCount(c.maxIncomingFrameBody, INITIAL_STREAM_WINDOW, MAX_U32),
    `maxIncomingFrameBody must be at least ${INITIAL_STREAM_WINDOW} (a peer may fill a whole window in one frame)`,
  );
  check(
    isCount(c.maxOutgoingFrameBody, 1, MIB),
    'maxOutgoingFrameBody must be from 1 to 1 MiB (a yamux 0.10 peer refuses larger bodies)',
  );
  check(isCount(c.maxStreams, 1, 2 ** 31), 'maxStreams must be a positive integer');
  check(isCount(c.inboundBacklog, 0, Number.MAX_SAFE_INTEGER), 'inboundBacklog must be a non-negative integer');
  check(isCount(c.keepAliveIntervalMs, 0, 2 ** 31 - 1), 'keepAliveIntervalMs must be a non-negative integer (0 = off)');
  check(isCount(c.pingTimeoutMs, 1, 2 ** 31 - 1), 'pingTimeoutMs must be a positive integer');
  check(isCount(c.closeTimeoutMs, 0, 2 ** 31 - 1), 'closeTimeoutMs must be a non-negative integer');
  check(isCount(c.writeBatchBytes, 1, 64 * MIB), 'writeBatchBytes must be a positive integer');
  check(isCount(c.streamWriteBufferBytes, 1, 64 * MIB), 'streamWriteBufferBytes must be a positive integer');
  check(isCount(c.replyBacklogBytes, 12, 64 * MIB), 'replyBacklogBytes must be an integer of at least 12 (one frame)');
  return Object.freeze(c);
}

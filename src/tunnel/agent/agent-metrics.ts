/**
 * What the engine counts for monitoring beyond the snapshot's counters: why it reconnected, how
 * data streams failed (by the code the gateway was told), how long connecting to targets took,
 * and how the connection checks (fast recovery after sleep or a network change) came out.
 *
 * Nothing here sits on the data path: the agent records a stream when its phase changes (once
 * when it opens, once when it closes), never per chunk; byte counts stay in the stream table,
 * read only when asked.
 */

/** Why the agent left a connection for a new one (PROTOCOL.md §7.2, plus our connection check). */
export const RECONNECT_CAUSES = [
  /** Reading the control stream failed (I/O error, bad frame, undecodable message). */
  'read-error',
  /** The gateway ended the control stream (or the whole connection). */
  'control-closed',
  /** Writing a control message failed. */
  'send-error',
  /** No Pong within a `ping-frequency` after our Ping. */
  'no-pong',
  /** `Terminate{Disabled}`: retried every 5 s. */
  'disabled',
  /** The gateway asked for it (`SwitchToNewConnection`). */
  'switch',
  /** A connection check (after sleep or a network change) got no Pong in time. */
  'connection-check',
] as const;
export type ReconnectCause = (typeof RECONNECT_CAUSES)[number];

/**
 * How a data stream failed: the two codes the agent replies with (PROTOCOL.md §5.3), or
 * `TransferError` for a stream that failed after `Ok` (reset, socket error, stop).
 */
export const STREAM_FAILURE_CODES = ['AddressNotAllowed', 'CouldNotConnect', 'TransferError'] as const;
export type StreamFailureCode = (typeof STREAM_FAILURE_CODES)[number];

export const CONNECTION_CHECK_RESULTS = ['passed', 'failed'] as const;
export type ConnectionCheckResult = (typeof CONNECTION_CHECK_RESULTS)[number];

/** Upper bounds (seconds) of the target-connect latency buckets; `+Inf` is implied. */
export const CONNECT_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]);

export interface LatencyHistogram {
  /** Bucket upper bounds in seconds, ascending. */
  readonly bounds: readonly number[];
  /** Cumulative counts: `counts[i]` observations ≤ `bounds[i]`. */
  readonly cumulative: readonly number[];
  readonly count: number;
  /** Sum of all observations, seconds. */
  readonly sum: number;
}

/**
 * What the agent holds toward the gateway, from the mux's own counters over every connection
 * (closed ones included): a gateway that stops reading must find all of it bounded.
 */
export interface GatewayBackpressure {
  /** Bytes queued for the gateway's socket now (all open connections). */
  readonly queuedBytes: number;
  /** The most one connection ever had queued for its socket at once. */
  readonly queuedBytesPeak: number;
  /** Bytes data streams hold now that are not queued for the socket yet (waiting for credit or the socket). */
  readonly streamQueuedBytes: number;
  /** The most one data stream ever held that way. */
  readonly streamQueuedBytesPeak: number;
  /** Times the agent stopped reading the gateway because its write queue was over its bound. */
  readonly readPauses: number;
  /** Frames read while the write queue was over its bound (0 unless reading failed to stop). */
  readonly framesReadWhileBlocked: number;
}

/** The mux counters `GatewayBackpressure` is made of, per connection (a `SessionStats` has them). */
export interface SessionBackpressure {
  readonly queuedBytesOut: number;
  readonly queuedBytesOutPeak: number;
  readonly streamQueuedBytes: number;
  readonly streamQueuedBytesPeak: number;
  readonly readPauses: number;
  readonly framesReadWhileBlocked: number;
}

export interface EngineMetrics {
  readonly reconnects: Readonly<Record<ReconnectCause, number>>;
  /** Attempts to reach the gateway (resolve, TCP, TLS, Hello) that failed. */
  readonly connectFailures: number;
  readonly streamFailures: Readonly<Record<StreamFailureCode, number>>;
  /** From a stream's `Connect` to its target connected and `Ok` sent. */
  readonly targetConnectSeconds: LatencyHistogram;
  readonly connectionChecks: Readonly<Record<ConnectionCheckResult, number>>;
  readonly gateway: GatewayBackpressure;
}

/** The code a closed stream's error text stands for (the texts are written by data-stream.ts). */
export function streamFailureCode(error: string): StreamFailureCode {
  if (error === 'address not allowed') return 'AddressNotAllowed';
  if (error.startsWith('could not connect')) return 'CouldNotConnect';
  return 'TransferError';
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** The engine's recorder; `snapshot()` is a copy the caller may keep. */
export class AgentMetrics {
  readonly #reconnects = zeroes(RECONNECT_CAUSES);
  readonly #streamFailures = zeroes(STREAM_FAILURE_CODES);
  readonly #checks = zeroes(CONNECTION_CHECK_RESULTS);
  /** Per bucket (not cumulative), plus the overflow bucket at the end. */
  readonly #buckets = new Array<number>(CONNECT_LATENCY_BUCKETS.length + 1).fill(0);
  #latencyCount = 0;
  #latencySum = 0;
  #connectFailures = 0;
  /** Connections that ended, folded together (peaks: the highest; counts: summed). */
  #endedSessions = { queuedBytesPeak: 0, streamQueuedBytesPeak: 0, readPauses: 0, framesReadWhileBlocked: 0 };

  /** A gateway connection ended: keep its counters. */
  sessionEnded(stats: SessionBackpressure): void {
    const ended = this.#endedSessions;
    ended.queuedBytesPeak = Math.max(ended.queuedBytesPeak, stats.queuedBytesOutPeak);
    ended.streamQueuedBytesPeak = Math.max(ended.streamQueuedBytesPeak, stats.streamQueuedBytesPeak);
    ended.readPauses += stats.readPauses;
    ended.framesReadWhileBlocked += stats.framesReadWhileBlocked;
  }

  reconnected(cause: ReconnectCause): void {
    this.#reconnects[cause] += 1;
  }

  connectFailed(): void {
    this.#connectFailures += 1;
  }

  streamFailed(code: StreamFailureCode): void {
    this.#streamFailures[code] += 1;
  }

  targetConnected(millis: number): void {
    const seconds = Math.max(0, millis) / 1000;
    let index = CONNECT_LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
    if (index < 0) index = CONNECT_LATENCY_BUCKETS.length;
    this.#buckets[index] = (this.#buckets[index] ?? 0) + 1;
    this.#latencyCount += 1;
    this.#latencySum += seconds;
  }

  connectionChecked(result: ConnectionCheckResult): void {
    this.#checks[result] += 1;
  }

  /** `live`: the counters of the connections open now. */
  snapshot(live: readonly SessionBackpressure[] = []): EngineMetrics {
    const ended = this.#endedSessions;
    const gateway: GatewayBackpressure = {
      queuedBytes: live.reduce((sum, s) => sum + s.queuedBytesOut, 0),
      queuedBytesPeak: Math.max(ended.queuedBytesPeak, ...live.map((s) => s.queuedBytesOutPeak)),
      streamQueuedBytes: live.reduce((sum, s) => sum + s.streamQueuedBytes, 0),
      streamQueuedBytesPeak: Math.max(ended.streamQueuedBytesPeak, ...live.map((s) => s.streamQueuedBytesPeak)),
      readPauses: live.reduce((sum, s) => sum + s.readPauses, ended.readPauses),
      framesReadWhileBlocked: live.reduce((sum, s) => sum + s.framesReadWhileBlocked, ended.framesReadWhileBlocked),
    };
    let running = 0;
    const cumulative = CONNECT_LATENCY_BUCKETS.map((_, index) => (running += this.#buckets[index] ?? 0));
    return {
      reconnects: { ...this.#reconnects },
      connectFailures: this.#connectFailures,
      streamFailures: { ...this.#streamFailures },
      targetConnectSeconds: {
        bounds: CONNECT_LATENCY_BUCKETS,
        cumulative,
        count: this.#latencyCount,
        sum: this.#latencySum,
      },
      connectionChecks: { ...this.#checks },
      gateway,
    };
  }
}

/**
 * The engine's typed state, shared by every consumer (CLI, Electron main, preload, renderer,
 * dashboard). Isomorphic: plain data, no Node or DOM types, so it crosses IPC and HTTP as JSON.
 * Times are epoch milliseconds.
 */

/** Why the gateway told the agent to stop (PROTOCOL.md §5.2 `Reason`). */
export type TerminateReason = 'Unauthenticated' | 'Unauthorized' | 'UnsupportedVersion' | 'Disabled';

/** Per-stream failure reply codes (PROTOCOL.md §5.3 `ErrorCode`). */
export type ErrorCodeName = 'CouldNotConnect' | 'AddressNotAllowed' | 'DecryptionFailed';

/** A configuration problem, pointing at the file and key with a fix a user can apply. */
export interface ConfigProblem {
  readonly file: string | null;
  /** The TOML key (e.g. `server.host`, `allowed-addresses[2]`), or null for the file as a whole. */
  readonly key: string | null;
  /** What is wrong, in plain words (no markup). */
  readonly message: string;
  /** The value as written in the file (strings quoted), or null; never the secret key, only its length. */
  readonly value?: string | null;
  /** What to do about it, in words for the app and the dashboard (the CLI prints its own), or null. */
  readonly fix?: string | null;
}

export type AgentState =
  /** No configuration loaded (first run, or the file is broken). */
  | { readonly phase: 'unconfigured'; readonly problem: ConfigProblem | null }
  /** Configured but not started. */
  | { readonly phase: 'idle' }
  /** Resolving, TCP and TLS to the gateway. `attempt` counts since the last Accepted. */
  | { readonly phase: 'connecting'; readonly attempt: number; readonly server: string }
  /** Hello sent on the control stream; waiting for the gateway's Accepted. */
  | { readonly phase: 'authenticating'; readonly server: string; readonly remoteAddress: string }
  /** Accepted by the gateway. */
  | { readonly phase: 'online'; readonly server: string; readonly remoteAddress: string; readonly since: number }
  /** Waiting before the next attempt after a failure (exponential backoff). */
  | { readonly phase: 'backing-off'; readonly attempt: number; readonly nextAttemptAt: number; readonly reason: string }
  /** The gateway sent Terminate{Disabled}: retried every 5 s. */
  | { readonly phase: 'disabled'; readonly nextAttemptAt: number }
  /** The gateway sent a permanent Terminate: the agent stopped and will not retry. */
  | { readonly phase: 'terminated'; readonly reason: TerminateReason; readonly message: string }
  /** Stopped by the user or the process. */
  | { readonly phase: 'stopped' };

export type AgentPhase = AgentState['phase'];

/**
 * What "Reconnect now" did: `connecting` ended a wait (backoff or Disabled) and an attempt starts
 * now; `already-connecting` found an attempt in flight (bounded by connect-timeout) and left it;
 * `online` had nothing to do; `not-running` means not started, stopped or terminated.
 */
export type ReconnectNowOutcome = 'connecting' | 'already-connecting' | 'online' | 'not-running';

/** Traffic through the agent over one sampling interval (the Status view's chart). */
export interface TrafficSample {
  /** End of the interval, epoch milliseconds. */
  readonly at: number;
  /** Bytes per second written to databases (gateway → targets) over the interval. */
  readonly toTargets: number;
  /** Bytes per second read from databases (targets → gateway). */
  readonly fromTargets: number;
  /** Streams open at `at`. */
  readonly streamsOpen: number;
}

export type StreamPhase =
  /** Connect received, resolving / connecting to the target. */
  | 'connecting'
  /** Bytes flow both ways. */
  | 'open'
  /** The gateway half-closed (no more bytes to the target); the target may still answer. */
  | 'remote-closed'
  /** The target half-closed (no more bytes to the gateway). */
  | 'local-closed'
  | 'closed';

export interface StreamInfo {
  /** yamux stream id (even: opened by the gateway). */
  readonly id: number;
  /** Which gateway connection carries it (increments on every (re)connect). */
  readonly connection: number;
  /** True while its connection is draining after SwitchToNewConnection. */
  readonly draining: boolean;
  /** The target as the gateway requested it, e.g. `db.internal:5432` or `[::1]:5432`. */
  readonly target: string;
  /** The socket address actually connected to, once connected. */
  readonly resolved: string | null;
  readonly halfClose: boolean;
  readonly phase: StreamPhase;
  /** Bytes written to the target (gateway → target). */
  readonly bytesToTarget: number;
  /** Bytes read from the target (target → gateway). */
  readonly bytesFromTarget: number;
  readonly openedAt: number;
  readonly closedAt: number | null;
  /** Set when the stream was refused or failed. */
  readonly error: string | null;
  /**
   * What failed, as the operating system said it (`ECONNREFUSED`, `ENOTFOUND`, …) or `TIMEOUT`,
   * when connecting to the target failed; null otherwise (connection-fixes.ts explains it).
   */
  readonly errorCode: string | null;
  /** The id of the gateway's Connect message: the `id` field of this stream's log lines. */
  readonly messageId: string;
}

/** The last thing that went wrong with the gateway connection. */
export interface AgentError {
  readonly message: string;
  readonly at: number;
  /**
   * For a failed connection attempt, what failed as the operating system or the TLS library
   * said it (`ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`, …) or `TIMEOUT`; absent otherwise.
   */
  readonly code?: string;
  /** The attempt went through the HTTP proxy, so `code` may be about the proxy. */
  readonly viaProxy?: boolean;
}

export interface AgentCounters {
  /** Successful connections after the first. */
  readonly reconnects: number;
  readonly connectedSince: number | null;
  readonly lastError: AgentError | null;
  readonly streamsOpen: number;
  readonly streamsTotal: number;
  readonly streamsFailed: number;
  readonly bytesToTarget: number;
  readonly bytesFromTarget: number;
  /** Round trip of the last control-stream ping, if any. */
  readonly pingRttMs: number | null;
}

/** The counters of an agent that has not run yet. */
export const ZERO_AGENT_COUNTERS: AgentCounters = Object.freeze({
  reconnects: 0,
  connectedSince: null,
  lastError: null,
  streamsOpen: 0,
  streamsTotal: 0,
  streamsFailed: 0,
  bytesToTarget: 0,
  bytesFromTarget: 0,
  pingRttMs: null,
});

/** What a UI may know of the configuration: never the secret key. */
export interface PublicConfig {
  readonly path: string | null;
  readonly agentId: string;
  readonly server: { readonly host: string; readonly port: number };
  readonly allowedAddresses: readonly string[];
  readonly connectTimeoutMs: number;
  readonly pingFrequencyMs: number;
}

export interface AgentSnapshot {
  readonly version: string;
  readonly config: PublicConfig | null;
  readonly state: AgentState;
  readonly counters: AgentCounters;
}

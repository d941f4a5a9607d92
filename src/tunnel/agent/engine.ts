/**
 * The engine's public interface: the one typed surface that the CLI, the Electron main process
 * and the loopback dashboard consume the same way. The implementation lives beside it
 * (`agent.ts`); consumers depend on this interface only.
 */
import type {
  AgentSnapshot,
  AgentState,
  ErrorCodeName,
  ReconnectNowOutcome,
  StreamInfo,
} from '../../shared/agent-state.js';

export type { ReconnectNowOutcome } from '../../shared/agent-state.js';
import type { LogRecord } from '../../shared/log-record.js';
import type { EngineMetrics } from './agent-metrics.js';
import type { CertificateRefusal } from './certificate-refusal.js';

export interface AgentEngineEvents {
  /** Every state transition, in order. */
  state: [state: AgentState];
  /** Every structured log record the engine emits (already filtered by nothing: sinks filter). */
  log: [record: LogRecord];
  /** A stream was opened, changed phase, or closed (byte counters are read through `streams()`). */
  stream: [info: StreamInfo];
  /**
   * A gateway address presented a certificate the configuration refuses (untrusted, or not for
   * `[server] host`): an answer that waiting does not change (certificate-refusal.ts).
   */
  'certificate-refused': [refusal: CertificateRefusal];
}

/** Result of checking an address locally: allowlist, then resolve + TCP connect (as `Test`). */
export type TestAddressResult =
  | { readonly ok: true; readonly resolved: string; readonly millis: number }
  | { readonly ok: false; readonly code: ErrorCodeName; readonly message: string };

export interface AgentEngine {
  on<E extends keyof AgentEngineEvents>(event: E, listener: (...args: AgentEngineEvents[E]) => void): this;
  off<E extends keyof AgentEngineEvents>(event: E, listener: (...args: AgentEngineEvents[E]) => void): this;
  /** Starts connecting (no-op when already running). */
  start(): void;
  /** Stops: closes every stream and the gateway connection; resolves once sockets and timers are gone. */
  stop(): Promise<void>;
  snapshot(): AgentSnapshot;
  /** Open streams plus a bounded tail of recently closed ones. */
  streams(): StreamInfo[];
  /** Checks `host:port` or `[v6]:port` against the allowlist and tries to connect, like a gateway `Test`. */
  testAddress(target: string): Promise<TestAddressResult>;
  /**
   * Fast recovery (the machine woke up, the network changed): online, a Ping must be answered
   * within a few seconds or the agent reconnects at once; waiting before a retry, it retries now.
   * `reason` is logged (e.g. `system resumed`). Returns at once; the outcome shows in states and logs.
   */
  checkConnection(reason: string): void;
  /**
   * "Reconnect now": ends the wait before the next connection attempt (after a failure, or the
   * 5 s of Disabled) so the attempt starts at once; the backoff counter is left as it is, so a
   * failed attempt waits as it would have. `reason` is logged (e.g. `requested in the dashboard`).
   */
  reconnectNow(reason: string): ReconnectNowOutcome;
  /** Counters for monitoring beyond the snapshot's: reconnect causes, stream failures by code, connect latency. */
  metrics(): EngineMetrics;
  /** Resolves when the engine ends by itself (permanent Terminate) or after `stop()`. */
  readonly done: Promise<AgentState>;
}

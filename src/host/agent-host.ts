/**
 * `AgentApi` over the tunnel engine: the one implementation behind both transports (Electron IPC
 * and the loopback dashboard), made of four services:
 *
 * - lifecycle (host-lifecycle.ts): the configuration and the engine running on it — start, stop,
 *   address tests;
 * - configuration changes (host-config-changes.ts): import, restore previous, the roll-back of a
 *   file the gateway refuses;
 * - publishing (host-publisher.ts): the log pipeline and the throttled subscriptions the UI reads;
 * - support (host-support.ts): host facts, start at login, settings, diagnostics, support bundles.
 *
 * Each service answers its own calls; the host is exactly their union (checked against the
 * declaration in src/shared/agent-api.ts), plus the controls of the embedding process (start,
 * stop, close, its own log records, metrics, fast recovery).
 */
import type { AgentApi, Unsubscribe } from '../shared/agent-api.js';
import type { AgentSnapshot } from '../shared/agent-state.js';
import type { LogFieldValue, LogLevel, LogRecord } from '../shared/log-record.js';
import type { EngineMetrics } from '../tunnel/agent/index.js';
import type { ConfigStart } from './config-from-disk.js';
import { HostConfigChanges, type HostConfigChangesOptions } from './host-config-changes.js';
import { HostLifecycle, type HostLifecycleOptions } from './host-lifecycle.js';
import { HostPublisher, type HostPublisherOptions } from './host-publisher.js';
import { HostSupport, type HostSupportOptions } from './host-support.js';

export interface AgentHostOptions<C>
  extends
    Omit<HostSupportOptions<C>, 'now'>,
    Pick<HostLifecycleOptions<C>, 'createEngine' | 'configPath' | 'configEvents'>,
    Pick<HostPublisherOptions, 'logs' | 'streamsIntervalMs' | 'countersIntervalMs' | 'logBatchMs' | 'trafficSampleMs'>,
    Pick<HostConfigChangesOptions<C>, 'answerWaitMs'> {
  readonly now?: () => number;
}

/**
 * A base whose instances are the `AgentApi` they are constructed with: its calls become own
 * properties, so `AgentHost` is an `AgentApi` without naming each call again.
 */
const AgentApiObject = function (this: object, api: AgentApi): void {
  Object.assign(this, api);
} as unknown as new (api: AgentApi) => AgentApi;

export class AgentHost<C> extends AgentApiObject {
  readonly #lifecycle: HostLifecycle<C>;
  readonly #publisher: HostPublisher;
  readonly #support: HostSupport<C>;
  readonly #changes: HostConfigChanges<C>;
  #closing: Promise<void> | null = null;

  constructor(options: AgentHostOptions<C>) {
    const now = options.now ?? Date.now;
    const publisher = new HostPublisher(
      { snapshot: () => lifecycle.snapshot(), streams: () => lifecycle.streams() },
      {
        logs: options.logs,
        secrets: () => (lifecycle.loaded === null ? [] : options.config.secrets(lifecycle.loaded.config)),
        streamsIntervalMs: options.streamsIntervalMs,
        countersIntervalMs: options.countersIntervalMs,
        logBatchMs: options.logBatchMs,
        trafficSampleMs: options.trafficSampleMs,
        now,
      },
    );
    const lifecycle = new HostLifecycle<C>({
      appVersion: options.appVersion,
      config: options.config,
      createEngine: options.createEngine,
      configPath: options.configPath,
      configEvents: options.configEvents,
      now,
      log: (level, message, fields) => {
        publisher.log(level, message, fields);
      },
      engineLog: (record) => {
        publisher.store(record);
      },
      changed: () => {
        publisher.publishSnapshot();
      },
    });
    const support = new HostSupport<C>({ ...options, now }, lifecycle, publisher);
    const changes = new HostConfigChanges<C>({
      binding: options.config,
      lifecycle,
      now,
      log: (level, message, fields) => {
        publisher.log(level, message, fields);
      },
      answerWaitMs: options.answerWaitMs,
    });
    super({ ...lifecycle.calls, ...publisher.calls, ...support.calls, ...changes.calls });
    this.#lifecycle = lifecycle;
    this.#publisher = publisher;
    this.#support = support;
    this.#changes = changes;
  }

  /** Finds the configuration (or uses `configPath`), starts the engine on it, and says what it found. */
  async start(): Promise<ConfigStart> {
    const started = await this.#lifecycle.start();
    await this.#changes.refresh();
    return started;
  }

  /** Stops the engine; the host keeps serving its last state. */
  stop(): Promise<void> {
    return this.#lifecycle.stop();
  }

  /** Stops the engine and every timer; subscriptions end. Closing again waits for the first close. */
  close(): Promise<void> {
    this.#closing ??= this.#lifecycle.close().then(() => {
      this.#changes.close();
      this.#publisher.close();
    });
    return this.#closing;
  }

  /** The engine's snapshot, or the host's own while there is no engine. */
  snapshot(): AgentSnapshot {
    return this.#lifecycle.snapshot();
  }

  /** Every (redacted) log record as it is stored, for the log file or the terminal. */
  onLogRecord(listener: (record: LogRecord) => void): Unsubscribe {
    return this.#publisher.onLogRecord(listener);
  }

  /** Adds a record from the embedding process (e.g. the desktop shell) to the same log. */
  record(level: LogLevel, module: string, message: string, fields: Record<string, LogFieldValue> = {}): void {
    this.#publisher.record(level, module, message, fields);
  }

  /** The engine's monitoring counters, or null while there is no engine (metrics-server.ts). */
  metrics(): EngineMetrics | null {
    return this.#lifecycle.metrics();
  }

  /**
   * Fast recovery: the machine woke up or the network changed (`reason` says which); the engine
   * checks its connection at once (`AgentEngine.checkConnection`). Without an engine, nothing to do.
   */
  checkConnection(reason: string): void {
    this.#lifecycle.checkConnection(reason);
  }

  /** A support bundle this process saved, by file name (the dashboard's download), or null. */
  readSupportBundle(fileName: string): Promise<Buffer | null> {
    return this.#support.readSupportBundle(fileName);
  }

  /** The loaded configuration's file, or null. */
  get configPath(): string | null {
    return this.#lifecycle.loaded?.path ?? null;
  }
}

/**
 * The host's lifecycle service: which configuration the agent runs on and the engine running on
 * it. It finds and reads the configuration (the `--config` file, or the search order), creates
 * the engine through an injected factory, replaces it and stops it; start, stop and every change
 * of configuration (host-config-changes.ts: import, restore, roll-back) run one at a time through
 * `exclusive`. Without a usable configuration there is no engine: the lifecycle then reports
 * `unconfigured` (with the problem, if a file was found) itself.
 */
import path from 'node:path';
import type { AgentApi } from '../shared/agent-api.js';
import {
  type AgentSnapshot,
  type AgentState,
  type ConfigProblem,
  type PublicConfig,
  type ReconnectNowOutcome,
  type StreamInfo,
  ZERO_AGENT_COUNTERS,
} from '../shared/agent-state.js';
import type { LogFieldValue, LogLevel, LogRecord } from '../shared/log-record.js';
import { parseTargetAddress } from '../shared/target-address.js';
import type { EngineMetrics, AgentEngine } from '../tunnel/agent/index.js';
import type { ConfigBinding } from './config-binding.js';
import {
  type ConfigStart,
  type ConfigStartEvents,
  type ExplicitConfigPath,
  readConfigFromDisk,
} from './config-from-disk.js';

/** Creates an engine for a validated configuration read from `path` (not started yet). */
export type EngineFactory<C> = (config: C, path: string) => AgentEngine;

export interface ConfigInUse<C> {
  readonly config: C;
  readonly path: string;
  readonly public: PublicConfig;
}

export interface HostLifecycleOptions<C> {
  readonly appVersion: string;
  readonly config: ConfigBinding<C>;
  readonly createEngine: EngineFactory<C>;
  /** Run on this file instead of searching (the CLI's `--config`, as given); imports then replace it. */
  readonly configPath?: string | null;
  /** Default: a `configuration` record of the host's own once the file is valid. */
  readonly configEvents?: ConfigStartEvents<C> | null;
  readonly now: () => number;
  /** The host's own records. */
  readonly log: (level: LogLevel, message: string, fields: Record<string, LogFieldValue>) => void;
  /** The engine's records. */
  readonly engineLog: (record: LogRecord) => void;
  /** The snapshot may have changed. */
  readonly changed: () => void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class HostLifecycle<C> {
  readonly #options: HostLifecycleOptions<C>;
  readonly #binding: ConfigBinding<C>;
  readonly #explicit: ExplicitConfigPath | null;

  #engine: AgentEngine | null = null;
  #detachEngine: () => void = () => undefined;
  #loaded: ConfigInUse<C> | null = null;
  #problem: ConfigProblem | null = null;
  #engineError: { readonly message: string; readonly at: number } | null = null;
  /** Serialises start, import and stop: each replaces the engine. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: HostLifecycleOptions<C>) {
    this.#options = options;
    this.#binding = options.config;
    const given = options.configPath ?? null;
    this.#explicit = given === null ? null : { given, file: path.resolve(given) };
  }

  /** Finds the configuration (or uses `configPath`) and starts the engine on it. */
  start(): Promise<ConfigStart> {
    return this.exclusive(() => this.startFromDisk());
  }

  /** Stops the engine; its last state stays. */
  stop(): Promise<void> {
    return this.exclusive(() => this.#stopEngine());
  }

  /** Stops the engine for good: nothing starts after. */
  async close(): Promise<void> {
    await this.stop();
    this.#closed = true;
  }

  /** The calls of `AgentApi` this service answers. */
  readonly calls = {
    testAddress: async (target) => {
      const address = parseTargetAddress(target);
      if (!address.ok) return { ok: false, code: 'InvalidAddress', message: address.error };
      if (this.#engine === null)
        return {
          ok: false,
          code: 'NotConfigured',
          message: 'No configuration is loaded: import cluvio-agent.toml first.',
        };
      return this.#engine.testAddress(target.trim());
    },

    reconnectNow: () => Promise.resolve(this.reconnectNow('Reconnect now')),
  } satisfies Partial<AgentApi>;

  /**
   * The engine's snapshot, or the host's own while there is no engine. The configuration is the
   * host's view of it: the engine knows an imported file only by the name it was dropped with.
   */
  snapshot(): AgentSnapshot {
    if (this.#engine !== null) {
      const snapshot = this.#engine.snapshot();
      return this.#loaded === null ? snapshot : { ...snapshot, config: this.#loaded.public };
    }
    const state: AgentState =
      this.#loaded === null
        ? { phase: 'unconfigured', problem: this.#problem }
        : this.#engineError === null
          ? { phase: 'idle' }
          : { phase: 'stopped' };
    return {
      version: this.#options.appVersion,
      config: this.#loaded?.public ?? null,
      state,
      counters: { ...ZERO_AGENT_COUNTERS, lastError: this.#engineError },
    };
  }

  streams(): readonly StreamInfo[] {
    return this.#engine?.streams() ?? [];
  }

  /** The engine's monitoring counters, or null while there is no engine. */
  metrics(): EngineMetrics | null {
    return this.#engine?.metrics() ?? null;
  }

  /** Asks the engine to check its connection at once; without an engine, nothing to do. */
  checkConnection(reason: string): void {
    this.#engine?.checkConnection(reason);
  }

  /** Ends the engine's wait before its next connection attempt; without an engine, nothing runs. */
  reconnectNow(reason: string): ReconnectNowOutcome {
    return this.#engine?.reconnectNow(reason) ?? 'not-running';
  }

  /** Why the last engine could not be created, or null. */
  get engineError(): string | null {
    return this.#engineError?.message ?? null;
  }

  /** The configuration running (or last run), or null. Compared by identity to tell a new one. */
  get loaded(): ConfigInUse<C> | null {
    return this.#loaded;
  }

  /** Why there is no configuration (null with `loaded` null: none found). */
  get problem(): ConfigProblem | null {
    return this.#problem;
  }

  /** `--config`, resolved, or null. */
  get explicitPath(): string | null {
    return this.#explicit?.file ?? null;
  }

  /** An import replaces the file given with `--config`; otherwise it goes to the user's location. */
  importTarget(): string {
    return this.#explicit?.file ?? this.#binding.userConfigPath();
  }

  /** The engine running (or last run), or null. */
  get engine(): AgentEngine | null {
    return this.#engine;
  }

  /** Runs `task` after every start, stop and change queued before it, and before those queued after. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new Error('the agent host is closed');
      return task();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Reads the configuration from disk again and runs the engine on it (inside `exclusive`). */
  async startFromDisk(): Promise<ConfigStart> {
    const found = await readConfigFromDisk(
      this.#binding,
      this.#explicit,
      this.#options.configEvents ?? null,
      this.#options.log,
    );
    if (!found.ok) {
      this.#problem = found.problem;
      this.#options.changed();
      return { ok: false, failure: found.failure };
    }
    await this.runOn(found.config, path.resolve(found.file));
    return { ok: true, file: found.file, rule: found.rule };
  }

  /**
   * Replaces the engine with one running on `config`, read from `file` (inside `exclusive`).
   * When the engine cannot be created (an unusable `[server] trust`), `engine` is null after it
   * and `engineError` says why.
   */
  async runOn(config: C, file: string): Promise<void> {
    await this.#stopEngine();
    this.#detachEngine();
    this.#engine = null;
    this.#loaded = { config, path: file, public: this.#binding.toPublic(config, file) };
    this.#problem = null;
    this.#engineError = null;
    try {
      const engine = this.#options.createEngine(config, file);
      this.#attach(engine);
      engine.start();
    } catch (error) {
      this.#detachEngine();
      this.#engine = null;
      this.#engineError = { message: `the engine could not start: ${describe(error)}`, at: this.#options.now() };
      this.#options.log('error', 'the engine could not start', { error: describe(error) });
    }
    this.#options.changed();
  }

  #attach(engine: AgentEngine): void {
    const onState = (): void => {
      this.#options.changed();
    };
    const onLog = (record: LogRecord): void => {
      this.#options.engineLog(record);
    };
    engine.on('state', onState).on('log', onLog);
    this.#engine = engine;
    this.#detachEngine = () => {
      engine.off('state', onState).off('log', onLog);
    };
  }

  async #stopEngine(): Promise<void> {
    const engine = this.#engine;
    if (engine === null) return;
    try {
      await engine.stop();
    } finally {
      // The stopped engine's last state stays visible until a new one replaces it.
      this.#options.changed();
    }
  }
}

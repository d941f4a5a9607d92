/**
 * `AgentApi` over the tunnel engine: the one implementation behind both transports (Electron IPC
 * and the loopback dashboard). It finds and loads the configuration, creates the engine through
 * an injected factory (so an import can replace it), keeps the log buffer, and turns engine
 * events into the throttled subscriptions the UI consumes.
 *
 * Without a usable configuration there is no engine: the host then reports `unconfigured` itself.
 *
 * "Save support bundle" (diagnose-bundle.ts) is written here too, so both transports save the same
 * archive to the same place: the latest diagnose report (run anew unless a recent one of the same
 * configuration is at hand), the configuration file's text, this log buffer, into the folder the
 * embedding process names (the app's log folder).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  AddressTestResult,
  AgentApi,
  AppSettings,
  AppSettingsResult,
  AppSettingsState,
  AutostartState,
  ConfigImportRequest,
  ConfigImportResult,
  HostInfo,
  LogFilter,
  OpenConfigFolderResult,
  SupportBundleResult,
  Unsubscribe,
} from '../shared/agent-api.js';
import type {
  AgentCounters,
  AgentSnapshot,
  AgentState,
  ConfigProblem,
  PublicConfig,
  StreamInfo,
} from '../shared/agent-state.js';
import type { DiagnoseReport } from '../shared/diagnose-report.js';
import type { LogFieldValue, LogLevel, LogRecord } from '../shared/log-record.js';
import { parseTargetAddress } from '../shared/target-address.js';
import type { EngineMetrics } from '../tunnel/agent/agent-metrics.js';
import type { AgentEngine } from '../tunnel/agent/engine.js';
import type { Environment } from '../tunnel/config/env-overrides.js';
import type { AppSettingsControl } from './app-settings.js';
import type { AutostartControl } from './autostart-control.js';
import type { ConfigBinding } from './config-binding.js';
import { writeConfigFile } from './config-import-writer.js';
import { saveSupportBundleIn } from './diagnose-bundle.js';
import { createLogRedactor, type LogRedactor } from './log-redaction.js';
import { LogRingBuffer } from './log-ring-buffer.js';

/** Creates an engine for a validated configuration read from `path` (not started yet). */
export type EngineFactory<C> = (config: C, path: string) => AgentEngine;

/** What the host knows when asked to diagnose (tunnel-diagnose.ts turns it into a run). */
export interface HostDiagnoseInput<C> {
  /** The configuration the engine runs on, or null. */
  readonly loaded: { readonly config: C; readonly path: string } | null;
  /** Why there is none (null with `loaded` null: no file found). */
  readonly problem: ConfigProblem | null;
  /** The search order's files. */
  readonly searched: readonly string[];
  /** `--config`, if the host was given one. */
  readonly explicitPath: string | null;
  /** The engine is online: the key check reads this instead of connecting (nothing displaced). */
  readonly live: { readonly since: number; readonly remoteAddress: string } | null;
  /** `host:port` of recent streams. */
  readonly knownTargets: readonly string[];
}

export type HostDiagnose<C> = (input: HostDiagnoseInput<C>) => Promise<DiagnoseReport>;

/** Where and with what "Save support bundle" writes (`AgentHost.saveSupportBundle`). */
export interface HostSupportBundleOptions {
  /** The folder bundles are written to (created owner-only when missing), on this machine. */
  readonly dir: string;
  /** Values to keep out of a bundle besides the configuration's own secrets (the proxy's credentials). */
  readonly secrets?: readonly string[];
  /** The environment whose proxy variables a bundle records (redacted). */
  readonly env?: Environment;
  /** Extra versions a bundle records, e.g. `{ electron: process.versions.electron }`. */
  readonly versions?: Readonly<Record<string, string>>;
  /** Shows a saved bundle in the desktop's file manager; absent where there is none (headless). */
  readonly show?: ((file: string) => void) | null;
}

/** A diagnose report at most this old, of the configuration still in use, goes into a bundle as it is. */
export const BUNDLE_REPORT_MAX_AGE_MS = 5 * 60_000;

export interface AgentHostOptions<C> {
  readonly appVersion: string;
  readonly transport: HostInfo['transport'];
  readonly config: ConfigBinding<C>;
  readonly createEngine: EngineFactory<C>;
  /** Run on this file instead of searching (the CLI's `--config`); imports then replace it. */
  readonly configPath?: string | null;
  readonly logs?: LogRingBuffer;
  /** Null where the transport cannot register a login item (the headless dashboard). */
  readonly autostart?: AutostartControl | null;
  /** Opens a folder in the desktop's file manager; resolves false when it could not. */
  readonly openFolder?: ((dir: string) => Promise<boolean>) | null;
  /** Runs the diagnostics; absent: `diagnose()` reports that it is not available. */
  readonly diagnose?: HostDiagnose<C>;
  /** Where "Save support bundle" writes; absent: `saveSupportBundle()` reports that it is not available. */
  readonly supportBundle?: HostSupportBundleOptions | null;
  /** The app's own settings; absent: read-only defaults. */
  readonly settings?: AppSettingsControl | null;
  /** Stream table pushes at most this often (default 250 ms: 4 Hz). */
  readonly streamsIntervalMs?: number;
  /** Counters (bytes, open streams) are re-checked this often between state changes. */
  readonly countersIntervalMs?: number;
  /** Log records are pushed in batches collected over this long. */
  readonly logBatchMs?: number;
  readonly now?: () => number;
}

export const HOST_LOG_MODULE = 'cluvio_agent_desktop::host';

const ZERO_COUNTERS: AgentCounters = {
  reconnects: 0,
  connectedSince: null,
  lastError: null,
  streamsOpen: 0,
  streamsTotal: 0,
  streamsFailed: 0,
  bytesToTarget: 0,
  bytesFromTarget: 0,
  pingRttMs: null,
};

interface LoadedConfig<C> {
  readonly config: C;
  readonly path: string;
  readonly public: PublicConfig;
}

async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class AgentHost<C> implements AgentApi {
  readonly #options: AgentHostOptions<C>;
  readonly #binding: ConfigBinding<C>;
  readonly #logs: LogRingBuffer;
  readonly #redact: LogRedactor;
  readonly #now: () => number;

  #engine: AgentEngine | null = null;
  #detachEngine: () => void = () => undefined;
  #loaded: LoadedConfig<C> | null = null;
  #problem: ConfigProblem | null = null;
  #engineError: { readonly message: string; readonly at: number } | null = null;
  /** Serialises start, import and stop: each replaces the engine. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | null = null;
  /** The diagnose run in progress (a second request joins it), and the latest report with what it was of. */
  #diagnosing: Promise<DiagnoseReport> | null = null;
  #lastReport: {
    readonly report: DiagnoseReport;
    readonly loaded: LoadedConfig<C> | null;
    readonly problem: ConfigProblem | null;
  } | null = null;

  readonly #snapshotListeners = new Set<(snapshot: AgentSnapshot) => void>();
  #lastSnapshotJson = '';
  #countersTimer: NodeJS.Timeout | null = null;

  readonly #streamListeners = new Set<(streams: readonly StreamInfo[]) => void>();
  #lastStreamsSignature = '';
  #streamsTimer: NodeJS.Timeout | null = null;

  readonly #logListeners = new Set<(records: readonly LogRecord[]) => void>();
  #pendingLogs: LogRecord[] = [];
  #logTimer: NodeJS.Timeout | null = null;
  readonly #stopLogFeed: () => void;

  constructor(options: AgentHostOptions<C>) {
    this.#options = options;
    this.#binding = options.config;
    this.#logs = options.logs ?? new LogRingBuffer();
    this.#now = options.now ?? Date.now;
    this.#redact = createLogRedactor(() => (this.#loaded === null ? [] : this.#binding.secrets(this.#loaded.config)));
    this.#stopLogFeed = this.#logs.onPush((record) => {
      if (this.#logListeners.size === 0) return;
      this.#pendingLogs.push(record);
      this.#logTimer ??= setTimeout(() => {
        this.#flushLogs();
      }, options.logBatchMs ?? 100).unref();
    });
  }

  /** Finds the configuration (or uses `configPath`) and starts the engine on it. */
  start(): Promise<void> {
    return this.#exclusive(() => this.#startFromDisk());
  }

  /**
   * Starts the engine on a configuration the caller has already found, read and reported (the
   * CLI, which logs the file and its search rule itself). Imports replace it as usual.
   */
  startWith(config: C, file: string): Promise<void> {
    return this.#exclusive(() => this.#run(config, file));
  }

  /** Stops the engine; the host keeps serving its last state. */
  stop(): Promise<void> {
    return this.#exclusive(() => this.#stopEngine());
  }

  /** Stops the engine and every timer; subscriptions end. Closing again waits for the first close. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.stop();
    this.#closed = true;
    this.#stopLogFeed();
    for (const timer of [this.#countersTimer, this.#streamsTimer, this.#logTimer])
      if (timer !== null) clearInterval(timer);
    this.#countersTimer = this.#streamsTimer = this.#logTimer = null;
    this.#snapshotListeners.clear();
    this.#streamListeners.clear();
    this.#logListeners.clear();
  }

  /** Every (redacted) log record as it is stored, for the log file or the terminal. */
  onLogRecord(listener: (record: LogRecord) => void): Unsubscribe {
    return this.#logs.onPush(listener);
  }

  /** Adds a record from the embedding process (e.g. the desktop shell) to the same log. */
  record(level: LogLevel, module: string, message: string, fields: Record<string, LogFieldValue> = {}): void {
    this.#logs.push(this.#redact({ time: this.#now(), level, module, message, fields }));
  }

  /** The engine's monitoring counters, or null while there is no engine (metrics-server.ts). */
  metrics(): EngineMetrics | null {
    return this.#engine?.metrics() ?? null;
  }

  /**
   * Fast recovery: the machine woke up or the network changed (`reason` says which); the engine
   * checks its connection at once (`AgentEngine.checkConnection`). Without an engine, nothing to do.
   */
  checkConnection(reason: string): void {
    this.#engine?.checkConnection(reason);
  }

  /** The loaded configuration's file, or null. */
  get configPath(): string | null {
    return this.#loaded?.path ?? null;
  }

  // ---- AgentApi ------------------------------------------------------------------------------

  getHostInfo(): Promise<HostInfo> {
    return Promise.resolve({
      transport: this.#options.transport,
      platform: process.platform,
      appVersion: this.#options.appVersion,
      configTarget: this.#importTarget(),
    });
  }

  getSnapshot(): Promise<AgentSnapshot> {
    return Promise.resolve(this.snapshot());
  }

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
      counters: { ...ZERO_COUNTERS, lastError: this.#engineError },
    };
  }

  onSnapshot(listener: (snapshot: AgentSnapshot) => void): Unsubscribe {
    this.#snapshotListeners.add(listener);
    listener(this.snapshot());
    this.#countersTimer ??= setInterval(() => {
      this.#publishSnapshot();
    }, this.#options.countersIntervalMs ?? 1000).unref();
    return () => {
      this.#snapshotListeners.delete(listener);
      if (this.#snapshotListeners.size === 0 && this.#countersTimer !== null) {
        clearInterval(this.#countersTimer);
        this.#countersTimer = null;
      }
    };
  }

  getStreams(): Promise<readonly StreamInfo[]> {
    return Promise.resolve(this.#engine?.streams() ?? []);
  }

  onStreams(listener: (streams: readonly StreamInfo[]) => void): Unsubscribe {
    this.#streamListeners.add(listener);
    listener(this.#engine?.streams() ?? []);
    this.#streamsTimer ??= setInterval(() => {
      this.#publishStreams();
    }, this.#options.streamsIntervalMs ?? 250).unref();
    return () => {
      this.#streamListeners.delete(listener);
      if (this.#streamListeners.size === 0 && this.#streamsTimer !== null) {
        clearInterval(this.#streamsTimer);
        this.#streamsTimer = null;
      }
    };
  }

  getLogs(filter: LogFilter): Promise<readonly LogRecord[]> {
    return Promise.resolve(this.#logs.query(filter));
  }

  onLog(listener: (records: readonly LogRecord[]) => void): Unsubscribe {
    this.#logListeners.add(listener);
    return () => this.#logListeners.delete(listener);
  }

  importConfig(request: ConfigImportRequest): Promise<ConfigImportResult> {
    return this.#exclusive(async (): Promise<ConfigImportResult> => {
      const parsed = this.#binding.parse(request.text, request.fileName);
      if (!parsed.ok) {
        for (const problem of parsed.problems)
          this.#log('warn', 'configuration rejected', {
            file: problem.file,
            key: problem.key,
            problem: problem.message,
          });
        return { ok: false, problems: parsed.problems };
      }
      const target = this.#importTarget();
      const written = await writeConfigFile(target, request.text, new Date(this.#now()));
      this.#log('info', 'configuration imported', { path: written.path, backup: written.backupPath });
      const shadowedBy = await this.#shadowing(target);
      if (shadowedBy !== null)
        this.#log('warn', 'the command-line agent would read another file first', { path: shadowedBy });
      await this.#run(parsed.config, target);
      const loaded = this.#loaded;
      if (loaded === null) throw new Error('configuration was not kept after import');
      return { ok: true, config: loaded.public, path: written.path, backupPath: written.backupPath, shadowedBy };
    });
  }

  async testAddress(target: string): Promise<AddressTestResult> {
    const address = parseTargetAddress(target);
    if (!address.ok) return { ok: false, code: 'InvalidAddress', message: address.error };
    if (this.#engine === null)
      return {
        ok: false,
        code: 'NotConfigured',
        message: 'No configuration is loaded: import cluvio-agent.toml first.',
      };
    return this.#engine.testAddress(target.trim());
  }

  getAutostart(): Promise<AutostartState> {
    return this.#options.autostart?.get() ?? Promise.resolve({ supported: false, enabled: false });
  }

  async setAutostart(enabled: boolean): Promise<AutostartState> {
    const control = this.#options.autostart;
    if (control === undefined || control === null) return { supported: false, enabled: false };
    const state = await control.set(enabled);
    this.#log('info', enabled ? 'start at login enabled' : 'start at login disabled', {});
    return state;
  }

  async openConfigFolder(): Promise<OpenConfigFolderResult> {
    const dir = path.dirname(this.#loaded?.path ?? this.#importTarget());
    const open = this.#options.openFolder;
    return { path: dir, opened: open === undefined || open === null ? false : await open(dir) };
  }

  async diagnose(): Promise<DiagnoseReport> {
    const running = this.#diagnosing ?? this.#runDiagnose();
    this.#diagnosing = running;
    try {
      return await running;
    } finally {
      if (this.#diagnosing === running) this.#diagnosing = null;
    }
  }

  async #runDiagnose(): Promise<DiagnoseReport> {
    const run = this.#options.diagnose;
    if (run === undefined) throw new Error('diagnostics are not available here');
    const state = this.#engine?.snapshot().state;
    const streams = this.#engine?.streams() ?? [];
    this.#log('info', 'diagnose started', {});
    const loaded = this.#loaded;
    const problem = this.#problem;
    const report = await run({
      loaded: loaded === null ? null : { config: loaded.config, path: loaded.path },
      problem,
      searched: this.#binding.searchPaths(),
      explicitPath: this.#options.configPath ?? null,
      live: state?.phase === 'online' ? { since: state.since, remoteAddress: state.remoteAddress } : null,
      knownTargets: [...new Set(streams.map((stream) => stream.target))],
    });
    const failed = report.steps.filter((step) => step.status === 'fail');
    this.#log(failed.length === 0 ? 'info' : 'warn', 'diagnose finished', {
      passed: report.steps.filter((step) => step.status === 'pass').length,
      failed: failed.length,
      failing: failed.map((step) => step.title).join(', '),
    });
    this.#lastReport = { report, loaded, problem };
    return report;
  }

  async saveSupportBundle(): Promise<SupportBundleResult> {
    const options = this.#options.supportBundle;
    if (options === undefined || options === null)
      return { ok: false, error: 'Support bundles cannot be saved here: no folder is set for them (is HOME set?).' };
    try {
      const report = await this.#bundleReport();
      const loaded = this.#loaded;
      const configFile = loaded?.path ?? this.#problem?.file ?? null;
      const saved = await saveSupportBundleIn(
        options.dir,
        {
          report,
          publicConfig: loaded?.public ?? null,
          configText: loaded !== null || configFile === null ? null : await readTextOrNull(configFile),
          logs: this.#logs.query({ level: 'trace', text: '' }),
          secrets: [...(loaded === null ? [] : this.#binding.secrets(loaded.config)), ...(options.secrets ?? [])],
          env: options.env ?? {},
          versions: options.versions,
        },
        new Date(this.#now()),
      );
      let shown = false;
      if (options.show !== undefined && options.show !== null) {
        try {
          options.show(saved.path);
          shown = true;
        } catch (error) {
          this.#log('warn', 'the support bundle could not be shown', { path: saved.path, error: describe(error) });
        }
      }
      this.#log('info', 'support bundle saved', { path: saved.path, bytes: saved.bytes });
      return {
        ok: true,
        path: saved.path,
        fileName: saved.fileName,
        bytes: saved.bytes,
        reportFinishedAt: report.finishedAt,
        shown,
      };
    } catch (error) {
      this.#log('warn', 'support bundle not saved', { dir: options.dir, error: describe(error) });
      return { ok: false, error: `The support bundle could not be saved in ${options.dir}: ${describe(error)}` };
    }
  }

  /** The latest report when it is recent and of the configuration still in use, else a new run. */
  async #bundleReport(): Promise<DiagnoseReport> {
    const last = this.#lastReport;
    const current =
      this.#diagnosing === null && last !== null && last.loaded === this.#loaded && last.problem === this.#problem;
    if (current && this.#now() - last.report.finishedAt <= BUNDLE_REPORT_MAX_AGE_MS) return last.report;
    // A run in progress is joined.
    return this.diagnose();
  }

  getAppSettings(): Promise<AppSettingsState> {
    const settings = this.#options.settings;
    if (settings === undefined || settings === null) {
      return Promise.resolve({
        editable: false,
        settings: { metricsAddress: null },
        metricsUrl: null,
        metricsError: null,
        proxy: null,
        source: '',
      });
    }
    return settings.get();
  }

  async setAppSettings(requested: AppSettings): Promise<AppSettingsResult> {
    const settings = this.#options.settings;
    if (settings === undefined || settings === null) return { ok: false, error: 'settings cannot be changed here' };
    return settings.set(requested);
  }

  /** An import replaces the file given with `--config`; otherwise it goes to the user's location. */
  #importTarget(): string {
    return this.#options.configPath ?? this.#binding.userConfigPath();
  }

  // ---- engine lifecycle ----------------------------------------------------------------------

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new Error('the agent host is closed');
      return task();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The file to run on, or why there is none (`problem` null: nothing found, the first-run case). */
  async #locate(): Promise<{ readonly file: string } | { readonly problem: ConfigProblem | null }> {
    const explicit = this.#options.configPath;
    if (explicit !== undefined && explicit !== null) {
      if (await isRegularFile(explicit)) return { file: explicit };
      return {
        problem: {
          file: explicit,
          key: null,
          message: 'file not found (or not a regular file): check the --config path',
        },
      };
    }
    for (const candidate of this.#binding.searchPaths()) if (await isRegularFile(candidate)) return { file: candidate };
    return { problem: null };
  }

  async #startFromDisk(): Promise<void> {
    const located = await this.#locate();
    if (!('file' in located)) {
      this.#problem = located.problem;
      if (located.problem === null)
        this.#log('info', 'no configuration file found', { searched: this.#binding.searchPaths().join(', ') });
      this.#publishSnapshot();
      return;
    }
    const { file } = located;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      this.#problem = { file, key: null, message: `cannot read the file: ${describe(error)}` };
      this.#publishSnapshot();
      return;
    }
    const parsed = this.#binding.parse(text, file);
    if (!parsed.ok) {
      this.#problem = parsed.problems[0] ?? { file, key: null, message: 'invalid configuration' };
      for (const problem of parsed.problems)
        this.#log('error', 'configuration rejected', {
          file: problem.file,
          key: problem.key,
          problem: problem.message,
        });
      this.#publishSnapshot();
      return;
    }
    this.#log('info', 'configuration', { path: file });
    await this.#run(parsed.config, file);
  }

  /** Replaces the engine with one running on `config`. */
  async #run(config: C, file: string): Promise<void> {
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
      this.#engineError = { message: `the engine could not start: ${describe(error)}`, at: this.#now() };
      this.#log('error', 'the engine could not start', { error: describe(error) });
    }
    this.#publishSnapshot();
  }

  #attach(engine: AgentEngine): void {
    const onState = (): void => {
      this.#publishSnapshot();
    };
    const onLog = (record: LogRecord): void => {
      this.#logs.push(this.#redact(record));
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
      this.#publishSnapshot();
    }
  }

  async #shadowing(target: string): Promise<string | null> {
    for (const candidate of this.#binding.searchPaths()) {
      if (path.resolve(candidate) === path.resolve(target)) return null;
      if (await isRegularFile(candidate)) return candidate;
    }
    return null;
  }

  // ---- publishing ----------------------------------------------------------------------------

  #log(level: LogLevel, message: string, fields: Record<string, LogFieldValue>): void {
    this.record(level, HOST_LOG_MODULE, message, fields);
  }

  #publishSnapshot(): void {
    if (this.#snapshotListeners.size === 0) return;
    const snapshot = this.snapshot();
    const json = JSON.stringify(snapshot);
    if (json === this.#lastSnapshotJson) return;
    this.#lastSnapshotJson = json;
    for (const listener of [...this.#snapshotListeners]) listener(snapshot);
  }

  #publishStreams(): void {
    const streams = this.#engine?.streams() ?? [];
    const signature = streams
      .map((s) => `${s.connection}/${s.id}:${s.phase}:${s.bytesToTarget}:${s.bytesFromTarget}:${s.draining}`)
      .join(',');
    if (signature === this.#lastStreamsSignature) return;
    this.#lastStreamsSignature = signature;
    for (const listener of [...this.#streamListeners]) listener(streams);
  }

  #flushLogs(): void {
    this.#logTimer = null;
    const batch = this.#pendingLogs;
    this.#pendingLogs = [];
    if (batch.length === 0) return;
    for (const listener of [...this.#logListeners]) listener(batch);
  }
}

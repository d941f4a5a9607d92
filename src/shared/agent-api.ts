/**
 * The one typed API every UI uses to reach the agent, whatever carries it: Electron IPC (the
 * preload's `window.agentApi`) or the loopback dashboard (HTTP + SSE). Isomorphic plain data.
 *
 * Calls return promises; subscriptions return an unsubscribe function. Nothing here ever carries
 * the secret key: the UI sees the public part of the configuration only.
 */
import type { AgentSnapshot, ConfigProblem, ErrorCodeName, PublicConfig, StreamInfo } from './agent-state.js';
import type { DiagnoseReport } from './diagnose-report.js';
import type { LogLevel, LogRecord } from './log-record.js';

export type Unsubscribe = () => void;

/** Which log records `getLogs` returns: at least as severe as `level`, containing `text`. */
export interface LogFilter {
  readonly level: LogLevel;
  /** Case-insensitive substring of the message, module or a field; empty matches everything. */
  readonly text: string;
  /** At most this many of the newest matching records (default and maximum: the buffer size). */
  readonly limit?: number;
}

/** A configuration file as the user dropped or picked it. */
export interface ConfigImportRequest {
  readonly fileName: string;
  readonly text: string;
}

export type ConfigImportResult =
  | {
      readonly ok: true;
      readonly config: PublicConfig;
      /** Where the file was written. */
      readonly path: string;
      /** The previous file, kept as a timestamped copy, or null when there was none. */
      readonly backupPath: string | null;
      /**
       * A file earlier in the search order that the headless CLI would pick instead of this one,
       * or null. The desktop app runs on the imported file either way.
       */
      readonly shadowedBy: string | null;
    }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** The outcome of checking an address through the allowlist and a TCP connect. */
export type AddressTestResult =
  | { readonly ok: true; readonly resolved: string; readonly millis: number }
  | {
      readonly ok: false;
      /** The engine's per-stream codes, or why no check could be made. */
      readonly code: ErrorCodeName | 'NotConfigured' | 'InvalidAddress';
      readonly message: string;
    };

export interface AutostartState {
  /** False where this transport cannot register a login item (e.g. the headless dashboard). */
  readonly supported: boolean;
  readonly enabled: boolean;
}

export interface OpenConfigFolderResult {
  /** The folder the imported configuration lives in. */
  readonly path: string;
  /** False when no file manager could be opened (headless): the UI shows the path instead. */
  readonly opened: boolean;
}

/** Facts about the process hosting the agent, for the UI's labels. */
export interface HostInfo {
  readonly transport: 'electron' | 'dashboard';
  /** Node's `process.platform` of the host. */
  readonly platform: string;
  readonly appVersion: string;
  /** Where an imported configuration is written (the search order's user location). */
  readonly configTarget: string;
}

/** Settings the desktop app keeps in its own settings file, never in cluvio-agent.toml. */
export interface AppSettings {
  /** Where to serve /healthz, /readyz and /metrics: a loopback `host:port` (or port), or null for off. */
  readonly metricsAddress: string | null;
}

export interface AppSettingsState {
  /** False where the settings come from the command line (`cluvio-agent --dashboard`). */
  readonly editable: boolean;
  readonly settings: AppSettings;
  /** The metrics endpoint's base URL while it listens (`http://127.0.0.1:9464`), else null. */
  readonly metricsUrl: string | null;
  /** Why it does not listen although an address is set, else null. */
  readonly metricsError: string | null;
  /** The HTTP proxy the agent goes through, credentials redacted, or null. */
  readonly proxy: string | null;
  /** Where the settings live: the settings file, or the command line; empty where there are none. */
  readonly source: string;
}

/** The outcome of "Save support bundle": where the archive was written, or why it was not. */
export type SupportBundleResult =
  | {
      readonly ok: true;
      /** Absolute path of the `.tar.gz`, on the machine running the agent (chosen by the host, never by the UI). */
      readonly path: string;
      /** `cluvio-agent-support-<UTC timestamp>.tar.gz` */
      readonly fileName: string;
      readonly bytes: number;
      /** When the diagnose report in the bundle finished (a recent report of the same configuration is reused). */
      readonly reportFinishedAt: number;
      /** False when no file manager could show the file (headless): the UI shows the path instead. */
      readonly shown: boolean;
    }
  | { readonly ok: false; readonly error: string };

export type AppSettingsResult =
  { readonly ok: true; readonly state: AppSettingsState } | { readonly ok: false; readonly error: string };

export interface AgentApi {
  getHostInfo(): Promise<HostInfo>;
  getSnapshot(): Promise<AgentSnapshot>;
  /** Called with the current snapshot first, then on every change. */
  onSnapshot(listener: (snapshot: AgentSnapshot) => void): Unsubscribe;
  getStreams(): Promise<readonly StreamInfo[]>;
  /** Called with the full stream table, a few times a second at most, while it changes. */
  onStreams(listener: (streams: readonly StreamInfo[]) => void): Unsubscribe;
  getLogs(filter: LogFilter): Promise<readonly LogRecord[]>;
  /** Called with batches of new records (unfiltered, oldest first). */
  onLog(listener: (records: readonly LogRecord[]) => void): Unsubscribe;
  importConfig(request: ConfigImportRequest): Promise<ConfigImportResult>;
  testAddress(target: string): Promise<AddressTestResult>;
  getAutostart(): Promise<AutostartState>;
  setAutostart(enabled: boolean): Promise<AutostartState>;
  openConfigFolder(): Promise<OpenConfigFolderResult>;
  /** Runs the diagnostics (config, DNS, TCP, proxy, TLS, the key, the allowed databases) and reports each step. */
  diagnose(): Promise<DiagnoseReport>;
  /**
   * Writes a support bundle (diagnose report, configuration without the secret key, recent logs,
   * versions) owner-only to the host's folder for them, and says where.
   */
  saveSupportBundle(): Promise<SupportBundleResult>;
  getAppSettings(): Promise<AppSettingsState>;
  setAppSettings(settings: AppSettings): Promise<AppSettingsResult>;
}

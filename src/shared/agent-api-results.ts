/** What the calls of the AgentApi (agent-api.ts) resolve to: plain data, never the secret key. */
import type { AppSettings } from './agent-api-arguments.js';
import type { ConfigProblem, ErrorCodeName, PublicConfig } from './agent-state.js';

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

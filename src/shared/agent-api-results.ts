/** What the calls of the AgentApi (agent-api.ts) resolve to: plain data, never the secret key. */
import type { AppSettings } from './agent-api-arguments.js';
import type { ConfigProblem, ErrorCodeName, PublicConfig } from './agent-state.js';
import type { ConfigDifference } from './config-difference.js';

/** Where an import or a restore stands, as far as the gateway has answered. */
export type ConfigChangeStatus =
  /** Identical to the configuration in use: nothing was written or restarted ("already in use"). */
  | 'unchanged'
  /** Written; the agent runs on it and waits for the gateway's first answer. */
  | 'connecting'
  /** The gateway accepted the agent: the configuration works. */
  | 'confirmed'
  /** Written and kept; the gateway cannot be reached yet (network, refusal, timeout): the agent keeps trying. */
  | 'unreachable'
  /** The gateway knows the agent, and it is disabled in Cluvio. */
  | 'disabled'
  /** Refused for good (the key, the version, the certificate): the previous configuration was put back and runs again. */
  | 'rolled-back'
  /** Refused for good, with nothing to go back to (or a restore the user asked for): kept, with what to do. */
  | 'refused';

/** An import or a restore, from the moment it was written until the gateway's first definite answer. */
export interface ConfigChange {
  /** Increases with every change in this run of the host. */
  readonly id: number;
  readonly kind: 'import' | 'restore';
  /** The file as the user dropped or opened it (a restore: the backup's name). */
  readonly fileName: string;
  readonly startedAt: number;
  readonly status: ConfigChangeStatus;
  /** The configuration the change brought in (after a roll-back: the refused one). */
  readonly config: PublicConfig;
  /** What it changes (or would have) against the configuration before it. */
  readonly difference: ConfigDifference;
  /** Where it was written. */
  readonly path: string;
  /** The replaced file's backup, or null (none, or taken back by a roll-back). */
  readonly backupPath: string | null;
  /**
   * A file earlier in the search order that the headless CLI would pick instead of this one,
   * or null. The desktop app runs on the imported file either way.
   */
  readonly shadowedBy: string | null;
  /** What happened, in a sentence or two. */
  readonly message: string;
  /** What to do about it, or null when nothing needs doing. */
  readonly fix: string | null;
  /** Keys the agent ignores (misspellings), each with the key it most likely meant. */
  readonly warnings: readonly ConfigProblem[];
}

/** An import or restore: every problem of a file that was not used (nothing written), or the change. */
export type ConfigImportResult =
  | { readonly ok: false; readonly problems: readonly ConfigProblem[]; readonly warnings: readonly ConfigProblem[] }
  | { readonly ok: true; readonly change: ConfigChange };

/** What importing a file would do, without doing it: for the question asked before an import that arrived from outside the window. */
export type ConfigImportPreview =
  | { readonly ok: false; readonly problems: readonly ConfigProblem[]; readonly warnings: readonly ConfigProblem[] }
  | {
      readonly ok: true;
      readonly config: PublicConfig;
      readonly difference: ConfigDifference;
      /** Identical to the configuration in use: an import would do nothing. */
      readonly unchanged: boolean;
      /** A configuration is in use that the import would replace (so the user is asked first). */
      readonly replaces: boolean;
      readonly warnings: readonly ConfigProblem[];
    };

/** What "Restore previous configuration" would go back to. */
export interface RestorableConfig {
  /** The backup file. */
  readonly path: string;
  readonly savedAt: number;
  readonly config: PublicConfig;
  /** What restoring it changes against the configuration in use. */
  readonly difference: ConfigDifference;
}

/** The configuration's history as the UI shows it: the latest change, and what can be restored. */
export interface ConfigChangesState {
  /** The latest import or restore of this run, or null. */
  readonly last: ConfigChange | null;
  /** The newest usable backup, or null: no "Restore previous" then. */
  readonly previous: RestorableConfig | null;
}

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

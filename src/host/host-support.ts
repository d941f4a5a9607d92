/**
 * The host's support services: what the UI asks of the machine around the agent rather than of
 * the agent itself. Facts about the host, start at login, the configuration's folder, the app's
 * own settings, the diagnostics and "Save support bundle".
 *
 * The bundle (diagnose-bundle.ts) is written here, so both transports save the same archive to
 * the same place: the latest diagnose report (run anew unless a recent one of the same
 * configuration is at hand), the configuration file's text and the host's log, into the folder
 * the embedding process names (the app's log folder).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentApi, HostInfo, SupportBundleResult } from '../shared/agent-api.js';
import type { ConfigProblem } from '../shared/agent-state.js';
import type { DiagnoseReport } from '../shared/diagnose-report.js';
import type { LogFieldValue, LogLevel } from '../shared/log-record.js';
import type { Environment } from '../tunnel/config/index.js';
import type { AppSettingsControl } from './app-settings.js';
import type { AutostartControl } from './autostart-control.js';
import type { ConfigBinding } from './config-binding.js';
import { saveSupportBundleIn } from './diagnose-bundle.js';
import type { HostLifecycle, ConfigInUse } from './host-lifecycle.js';
import type { HostPublisher } from './host-publisher.js';

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

/** How many saved bundles this process offers for download (the newest). */
const DOWNLOADABLE_BUNDLES = 8;

/** A diagnose report at most this old, of the configuration still in use, goes into a bundle as it is. */
export const BUNDLE_REPORT_MAX_AGE_MS = 5 * 60_000;

export interface HostSupportOptions<C> {
  readonly appVersion: string;
  readonly transport: HostInfo['transport'];
  readonly config: ConfigBinding<C>;
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
  readonly now: () => number;
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

export class HostSupport<C> {
  readonly #options: HostSupportOptions<C>;
  readonly #lifecycle: HostLifecycle<C>;
  readonly #publisher: HostPublisher;
  /** The diagnose run in progress (a second request joins it), and the latest report with what it was of. */
  #diagnosing: Promise<DiagnoseReport> | null = null;
  #lastReport: {
    readonly report: DiagnoseReport;
    readonly loaded: ConfigInUse<C> | null;
    readonly problem: ConfigProblem | null;
  } | null = null;
  /** The bundles this process saved, by file name, newest last: the only files `readSupportBundle` reads. */
  readonly #savedBundles = new Map<string, string>();

  constructor(options: HostSupportOptions<C>, lifecycle: HostLifecycle<C>, publisher: HostPublisher) {
    this.#options = options;
    this.#lifecycle = lifecycle;
    this.#publisher = publisher;
  }

  /** The calls of `AgentApi` this service answers. */
  readonly calls = {
    getHostInfo: () =>
      Promise.resolve({
        transport: this.#options.transport,
        platform: process.platform,
        appVersion: this.#options.appVersion,
        configTarget: this.#lifecycle.importTarget(),
      }),

    getAutostart: () => this.#options.autostart?.get() ?? Promise.resolve({ supported: false, enabled: false }),

    setAutostart: async (enabled) => {
      const control = this.#options.autostart;
      if (control === undefined || control === null) return { supported: false, enabled: false };
      const state = await control.set(enabled);
      this.#log('info', enabled ? 'start at login enabled' : 'start at login disabled', {});
      return state;
    },

    openConfigFolder: async () => {
      const dir = path.dirname(this.#lifecycle.loaded?.path ?? this.#lifecycle.importTarget());
      const open = this.#options.openFolder;
      return { path: dir, opened: open === undefined || open === null ? false : await open(dir) };
    },

    diagnose: () => this.#diagnose(),

    saveSupportBundle: () => this.#saveSupportBundle(),

    getAppSettings: () => {
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
    },

    setAppSettings: async (requested) => {
      const settings = this.#options.settings;
      if (settings === undefined || settings === null) return { ok: false, error: 'settings cannot be changed here' };
      return settings.set(requested);
    },
  } satisfies Partial<AgentApi>;

  #log(level: LogLevel, message: string, fields: Record<string, LogFieldValue>): void {
    this.#publisher.log(level, message, fields);
  }

  async #diagnose(): Promise<DiagnoseReport> {
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
    const state = this.#lifecycle.snapshot().state;
    const streams = this.#lifecycle.streams();
    this.#log('info', 'diagnose started', {});
    const loaded = this.#lifecycle.loaded;
    const problem = this.#lifecycle.problem;
    const report = await run({
      loaded: loaded === null ? null : { config: loaded.config, path: loaded.path },
      problem,
      searched: this.#options.config.searchPaths(),
      explicitPath: this.#lifecycle.explicitPath,
      live: state.phase === 'online' ? { since: state.since, remoteAddress: state.remoteAddress } : null,
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

  async #saveSupportBundle(): Promise<SupportBundleResult> {
    const options = this.#options.supportBundle;
    if (options === undefined || options === null)
      return { ok: false, error: 'Support bundles cannot be saved here: no folder is set for them (is HOME set?).' };
    try {
      const report = await this.#bundleReport();
      const loaded = this.#lifecycle.loaded;
      const configFile = loaded?.path ?? this.#lifecycle.problem?.file ?? null;
      const saved = await saveSupportBundleIn(
        options.dir,
        {
          report,
          publicConfig: loaded?.public ?? null,
          configText: loaded !== null || configFile === null ? null : await readTextOrNull(configFile),
          logs: this.#publisher.allRecords(),
          secrets: [
            ...(loaded === null ? [] : this.#options.config.secrets(loaded.config)),
            ...(options.secrets ?? []),
          ],
          env: options.env ?? {},
          versions: options.versions,
        },
        new Date(this.#options.now()),
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
      this.#savedBundles.delete(saved.fileName);
      this.#savedBundles.set(saved.fileName, saved.path);
      for (const name of [...this.#savedBundles.keys()].slice(0, -DOWNLOADABLE_BUNDLES))
        this.#savedBundles.delete(name);
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

  /**
   * The bytes of a bundle this process saved, by its file name (for the dashboard's download);
   * null for any other name, or when the file is gone.
   */
  async readSupportBundle(fileName: string): Promise<Buffer | null> {
    const file = this.#savedBundles.get(fileName);
    if (file === undefined) return null;
    try {
      return await readFile(file);
    } catch {
      return null;
    }
  }

  /** The latest report when it is recent and of the configuration still in use, else a new run. */
  async #bundleReport(): Promise<DiagnoseReport> {
    const last = this.#lastReport;
    const current =
      this.#diagnosing === null &&
      last !== null &&
      last.loaded === this.#lifecycle.loaded &&
      last.problem === this.#lifecycle.problem;
    if (current && this.#options.now() - last.report.finishedAt <= BUNDLE_REPORT_MAX_AGE_MS) return last.report;
    // A run in progress is joined.
    return this.#diagnose();
  }
}

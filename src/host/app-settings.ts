/**
 * The desktop app's own settings (src/shared/agent-api.ts `AppSettings`), kept in its settings
 * file (`settings.json` in the app's data folder, owner-only), never in cluvio-agent.toml, so the
 * configuration file stays the reference agent's. Today: the health and metrics endpoint's
 * address, and the desktop app's own preferences (`DesktopPreferences`, set from its tray menu). Saving a new address starts the endpoint there first and only then stops the old one
 * and writes the file, so a refused address (not loopback, port taken) changes nothing.
 *
 * `cluvio-agent --dashboard` has no settings file: its settings come from the command line and
 * are shown read-only (`CommandLineSettings`).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppSettings, AppSettingsResult, AppSettingsState } from '../shared/agent-api.js';
import { parseMetricsAddress } from './loopback-address.js';
import { startMetricsServer, type MetricsServer, type MetricsSource } from './metrics-server.js';
import { replaceOwnerOnlyFile } from './owner-only-file.js';

export interface AppSettingsControl {
  get(): Promise<AppSettingsState>;
  set(settings: AppSettings): Promise<AppSettingsResult>;
}

export const DEFAULT_APP_SETTINGS: AppSettings = Object.freeze({ metricsAddress: null });

/** The desktop app's preferences, kept in the same file (src/main reads and sets them). */
export interface DesktopPreferences {
  /** Native notifications: offline for a while, stopped by the gateway, back online. */
  readonly notifications: boolean;
  /** The window's close button minimises it instead of hiding it to the tray (Linux). */
  readonly closeMinimizes: boolean;
}

export const DEFAULT_DESKTOP_PREFERENCES: DesktopPreferences = Object.freeze({
  notifications: true,
  closeMinimizes: false,
});

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads a settings file; a missing or unreadable one is the defaults (with the reason). */
export async function readAppSettings(file: string): Promise<{
  readonly settings: AppSettings;
  readonly desktop: DesktopPreferences;
  readonly problem: string | null;
}> {
  const defaults = { settings: DEFAULT_APP_SETTINGS, desktop: DEFAULT_DESKTOP_PREFERENCES };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { ...defaults, problem: null };
    return { ...defaults, problem: `cannot read ${file}: ${describe(error)}` };
  }
  try {
    const parsed = JSON.parse(text) as { metricsAddress?: unknown; notifications?: unknown; closeMinimizes?: unknown };
    const address = parsed.metricsAddress;
    const flag = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback);
    return {
      settings: { metricsAddress: typeof address === 'string' && address.trim() !== '' ? address : null },
      desktop: {
        notifications: flag(parsed.notifications, DEFAULT_DESKTOP_PREFERENCES.notifications),
        closeMinimizes: flag(parsed.closeMinimizes, DEFAULT_DESKTOP_PREFERENCES.closeMinimizes),
      },
      problem: null,
    };
  } catch (error) {
    return { ...defaults, problem: `${file} is not valid JSON (${describe(error)}); the defaults are used` };
  }
}

/** Writes atomically (a new owner-only file renamed over it; a symlink there is replaced, not followed). */
export async function writeAppSettings(
  file: string,
  settings: AppSettings,
  desktop: DesktopPreferences = DEFAULT_DESKTOP_PREFERENCES,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // Desktop preferences only where they differ from the defaults: a file stays as short as it was.
  const changed = Object.entries(desktop).filter(
    ([key, value]) => DEFAULT_DESKTOP_PREFERENCES[key as keyof DesktopPreferences] !== value,
  );
  await replaceOwnerOnlyFile(
    file,
    `${JSON.stringify({ ...settings, ...Object.fromEntries(changed) }, null, 2)}
`,
  );
}

export interface FileAppSettingsOptions {
  readonly file: string;
  /** The proxy in use, already redacted (for display). */
  readonly proxy: string | null;
  /** Told about what happens (endpoint started, refused, file unreadable). */
  readonly log: (level: 'info' | 'warn', message: string, fields: Readonly<Record<string, string>>) => void;
}

/** The desktop app's settings, from and to its settings file, applied as they change. */
export class FileAppSettings implements AppSettingsControl {
  readonly #options: FileAppSettingsOptions;
  #settings: AppSettings = DEFAULT_APP_SETTINGS;
  #desktop: DesktopPreferences = DEFAULT_DESKTOP_PREFERENCES;
  #source: MetricsSource | null = null;
  #server: MetricsServer | null = null;
  #metricsError: string | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: FileAppSettingsOptions) {
    this.#options = options;
  }

  /** Reads the file and starts the metrics endpoint if one is set; `source` is what it serves. */
  async start(source: MetricsSource): Promise<void> {
    this.#source = source;
    const { settings, desktop, problem } = await readAppSettings(this.#options.file);
    if (problem !== null) this.#options.log('warn', 'settings file ignored', { problem });
    this.#settings = settings;
    this.#desktop = desktop;
    if (settings.metricsAddress !== null) {
      const started = await this.#listen(settings.metricsAddress);
      if (started.ok) this.#server = started.server;
      else this.#metricsError = started.error;
    }
  }

  get(): Promise<AppSettingsState> {
    return Promise.resolve(this.#state());
  }

  set(settings: AppSettings): Promise<AppSettingsResult> {
    const run = this.#queue.then(() => this.#apply(settings));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The desktop app's preferences (the defaults until `start`). */
  desktopPreferences(): DesktopPreferences {
    return this.#desktop;
  }

  /** Changes some desktop preferences and saves the file; resolves with what is in force. */
  setDesktopPreferences(changes: Partial<DesktopPreferences>): Promise<DesktopPreferences> {
    const run = this.#queue.then(async () => {
      const next = { ...this.#desktop, ...changes };
      await writeAppSettings(this.#options.file, this.#settings, next);
      this.#desktop = next;
      return next;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#server?.close();
    this.#server = null;
  }

  async #apply(requested: AppSettings): Promise<AppSettingsResult> {
    const address = requested.metricsAddress?.trim() ?? '';
    const settings: AppSettings = { metricsAddress: address === '' ? null : address };
    let server: MetricsServer | null = null;
    if (settings.metricsAddress !== null) {
      const started = await this.#listen(settings.metricsAddress);
      if (!started.ok) return { ok: false, error: started.error };
      server = started.server;
    }
    try {
      await writeAppSettings(this.#options.file, settings, this.#desktop);
    } catch (error) {
      if (server !== this.#server) await server?.close();
      return { ok: false, error: `cannot save the settings to ${this.#options.file}: ${describe(error)}` };
    }
    if (this.#server !== server) await this.#server?.close();
    this.#server = server;
    this.#metricsError = null;
    this.#settings = settings;
    this.#options.log(
      'info',
      server === null ? 'metrics endpoint off' : 'metrics endpoint on',
      server === null ? {} : { url: `${server.url}/metrics` },
    );
    return { ok: true, state: this.#state() };
  }

  async #listen(
    text: string,
  ): Promise<{ readonly ok: true; readonly server: MetricsServer } | { readonly ok: false; readonly error: string }> {
    const parsed = parseMetricsAddress(text);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const source = this.#source;
    if (source === null) return { ok: false, error: 'the settings are not started yet' };
    // Keep a running endpoint when the address did not change.
    const current = this.#server;
    if (current !== null && this.#settings.metricsAddress === text) return { ok: true, server: current };
    try {
      return {
        ok: true,
        server: await startMetricsServer({ source, host: parsed.address.host, port: parsed.address.port }),
      };
    } catch (error) {
      const message = `cannot listen on ${parsed.address.host}:${parsed.address.port}: ${describe(error)}`;
      this.#options.log('warn', 'metrics endpoint not started', { problem: message });
      return { ok: false, error: message };
    }
  }

  #state(): AppSettingsState {
    return {
      editable: true,
      settings: this.#settings,
      metricsUrl: this.#server?.url ?? null,
      metricsError: this.#metricsError,
      proxy: this.#options.proxy,
      source: this.#options.file,
    };
  }
}

/** `cluvio-agent --dashboard`: the settings are its command-line options, shown read-only. */
export class CommandLineSettings implements AppSettingsControl {
  readonly #metricsAddress: string | null;
  readonly #proxy: string | null;
  #metricsUrl: string | null = null;

  constructor(options: { readonly metricsAddress: string | null; readonly proxy: string | null }) {
    this.#metricsAddress = options.metricsAddress;
    this.#proxy = options.proxy;
  }

  /** The endpoint started by the CLI is listening at `url`. */
  listening(url: string): void {
    this.#metricsUrl = url;
  }

  get(): Promise<AppSettingsState> {
    return Promise.resolve({
      editable: false,
      settings: { metricsAddress: this.#metricsAddress },
      metricsUrl: this.#metricsUrl,
      metricsError: null,
      proxy: this.#proxy,
      source: 'the cluvio-agent command line (--metrics-address, --proxy, HTTPS_PROXY)',
    });
  }

  set(): Promise<AppSettingsResult> {
    return Promise.resolve({
      ok: false,
      error:
        'These settings come from the command line here: restart cluvio-agent with --metrics-address to change them.',
    });
  }
}

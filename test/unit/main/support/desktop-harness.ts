/**
 * Runs the real composition root (src/main/main.ts `startDesktopApp`) against the Electron double,
 * with the real agent host and engine, in a private folder: HOME, XDG_CONFIG_HOME and APPDATA,
 * the app's data folder and its log all live there. The clock is a ManualClock.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgentHost } from '../../../../src/host/agent-host.js';
import { createTunnelAgentHost } from '../../../../src/host/tunnel-agent-host.js';
import { userConfigLocation } from '../../../../src/host/tunnel-config-binding.js';
import type { DesktopProcess } from '../../../../src/main/desktop-electron.js';
import { type DesktopAppHandle, startDesktopApp } from '../../../../src/main/main.js';
import type { LogRecord } from '../../../../src/shared/log-record.js';
import type { AgentConfig } from '../../../../src/tunnel/config/index.js';
import { closedLoopbackPort, offlineConfig } from '../../host/support/offline-config.js';
import { createElectronDouble, type ElectronDouble, type ElectronDoubleOptions } from './electron-double.js';
import { ManualClock } from './manual-clock.js';

export const REPO_ROOT = path.resolve('.');

export interface LaunchOptions extends Partial<Omit<ElectronDoubleOptions, 'appPath' | 'userData' | 'now'>> {
  readonly platform: NodeJS.Platform;
  /** Arguments after the executable. */
  readonly args?: readonly string[];
  /** A configuration for a gateway that cannot be reached (the engine keeps retrying), or none. */
  readonly configured?: boolean;
  /** The host's close() never settles (a hung engine). */
  readonly hangOnClose?: boolean;
  /**
   * Files macOS asks the app to open before 'ready' (the app was launched by opening them),
   * given the launch's folder (to write them there first).
   */
  readonly openFilesBeforeReady?: (dir: string) => Promise<readonly string[]>;
}

export interface LaunchedApp {
  readonly electron: ElectronDouble;
  readonly clock: ManualClock;
  readonly dir: string;
  readonly cwd: string;
  readonly handle: DesktopAppHandle;
  readonly host: AgentHost<AgentConfig>;
  readonly logs: LogRecord[];
  readonly openFileEvents: Electron.Event[];
  /** Quits (if still running), closes the host, removes the folder. */
  close(): Promise<void>;
}

export async function launchDesktopApp(options: LaunchOptions): Promise<LaunchedApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-desktop-'));
  const cwd = path.join(dir, 'cwd');
  const home = path.join(dir, 'home');
  await Promise.all([cwd, home, path.join(dir, 'bin')].map((d) => mkdir(d, { recursive: true })));
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(dir, 'config'), APPDATA: path.join(dir, 'appdata') };
  const clock = new ManualClock();
  const logs: LogRecord[] = [];
  const proc: DesktopProcess = {
    platform: options.platform,
    argv: [path.join(dir, 'bin', 'cluvio-agent-desktop'), ...(options.args ?? [])],
    cwd,
    env,
    homeDir: home,
    execPath: path.join(dir, 'bin', 'cluvio-agent-desktop'),
    electronVersion: '45.6.1',
    openLogFile: () => ({
      path: path.join(dir, 'logs', 'main.log'),
      write: (record) => logs.push(record),
    }),
    clock,
  };

  // The configuration: where the app looks for it (Windows paths cannot be made on this machine,
  // so there the host is pointed at the file, as `--config` would).
  let configPath: string | null = null;
  if (options.configured === true) {
    const text = offlineConfig(await closedLoopbackPort());
    const target =
      options.platform === 'win32'
        ? path.join(dir, 'cluvio-agent.toml')
        : (userConfigLocation({ platform: options.platform, env, homeDir: home, exeDir: path.join(dir, 'bin') }) ?? '');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text, { mode: 0o600 });
    if (options.platform === 'win32') configPath = target;
  }

  const electron = createElectronDouble({
    ...options,
    appPath: REPO_ROOT,
    userData: path.join(dir, 'userData'),
    now: () => clock.now(),
  });
  const made: { host: AgentHost<AgentConfig> | null; close: () => Promise<void> } = {
    host: null,
    close: () => Promise.resolve(),
  };
  const handle = startDesktopApp(electron, proc, {
    createHost: (hostOptions) => {
      const created = createTunnelAgentHost({ ...hostOptions, ...(configPath === null ? {} : { configPath }) });
      made.close = created.close.bind(created);
      if (options.hangOnClose === true) created.close = () => new Promise<void>(() => undefined);
      made.host = created;
      return created;
    },
  });
  const earlyFiles = (await options.openFilesBeforeReady?.(dir)) ?? [];
  const openFileEvents = earlyFiles.map((file) => electron.openFile(file));
  if (handle.primary) {
    electron.becomeReady();
    await handle.started;
  }
  const host = made.host;
  if (host === null && handle.primary) throw new Error('the app created no host');
  return {
    electron,
    clock,
    dir,
    cwd,
    handle,
    // A second instance has none; its tests do not ask for it.
    host: host as AgentHost<AgentConfig>,
    logs,
    openFileEvents,
    close: async () => {
      if (handle.primary && electron.record.exitCode === null) {
        electron.app.quit();
        clock.advance(60_000);
      }
      await made.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The structured log lines of the desktop shell (module `cluvio_agent_desktop::main`). */
export function mainLog(app: LaunchedApp): string[] {
  return app.logs.filter((r) => r.module === 'cluvio_agent_desktop::main').map((r) => r.message);
}

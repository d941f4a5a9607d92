/**
 * `cluvio-agent --dashboard -c <file>` as a user runs it, for the browser tests against a real
 * engine: the config is written owner-only to a temp folder (HOME is there too), the process is
 * spawned from the build, and the dashboard URL is read from its stderr.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OWNER_ONLY_FILE_MODE } from '../../../../src/host/config-import-writer.js';
import { type CliExit, type CliProcess, spawnCli } from './cli-process.js';

export interface DashboardAgent {
  /** The dashboard URL, token included, as printed. */
  readonly url: string;
  /** The `--config` file: the agent runs on it and an import replaces it. */
  readonly configPath: string;
  readonly process: CliProcess;
  /** SIGTERM, then the temp folder is removed; resolves with the exit. */
  close(): Promise<CliExit>;
}

export interface DashboardAgentOptions {
  /** `--log` (the terminal only; the dashboard always has every level). Default `cluvio_agent=info`. */
  readonly logFilter?: string;
}

export async function startDashboardAgent(
  configToml: string,
  options: DashboardAgentOptions = {},
): Promise<DashboardAgent> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-dashboard-agent-'));
  const home = path.join(dir, 'home');
  await mkdir(home);
  const configPath = path.join(dir, 'etc', 'cluvio-agent.toml');
  await mkdir(path.dirname(configPath));
  await writeFile(configPath, configToml, { mode: OWNER_ONLY_FILE_MODE });
  const child = spawnCli(
    ['--dashboard', '-c', configPath, '-l', options.logFilter ?? 'cluvio_agent=info'],
    { HOME: home },
    dir,
  );
  let url: string;
  try {
    url = await child.dashboardUrl();
  } catch (error) {
    await child.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    configPath,
    process: child,
    async close() {
      const exit = await child.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
      return exit;
    },
  };
}

/**
 * What the in-process browser tests run against: the product's `AgentHost` (real config module,
 * the real tunnel engine) behind the real dashboard server, with every config search location
 * inside a temp folder so the search and the imports touch nothing else.
 *
 * `config` is written to the user location before the host starts. Without it the host is in
 * the first-run state; the online tests pass a config for a gateway fixture (server.host/port/
 * trust, an agent key the gateway knows).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgentHost } from '../../../../src/host/agent-host.js';
import { startDashboard } from '../../../../src/host/dashboard-server.js';
import { OWNER_ONLY_FILE_MODE } from '../../../../src/host/config-import-writer.js';
import type { AgentConfig } from '../../../../src/tunnel/config/index.js';
import { confinedConfigBinding, confinedHost } from '../../../unit/host/support/unconfigured-host.js';

export interface AgentFixture {
  /** The dashboard URL, token included. */
  readonly url: string;
  /** Where the configuration lives and an import is written ($XDG_CONFIG_HOME/cluvio-agent.toml). */
  readonly configTarget: string;
  readonly host: AgentHost<AgentConfig>;
  /** Stops the dashboard server only (the page loses its agent). */
  stopDashboard(): Promise<void>;
  close(): Promise<void>;
}

export interface AgentFixtureOptions {
  /** A cluvio-agent.toml to start on; none: first run. */
  readonly config?: string;
}

export async function startAgentFixture(options: AgentFixtureOptions = {}): Promise<AgentFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-ui-'));
  await mkdir(path.join(dir, 'config'), { recursive: true });
  const binding = confinedConfigBinding(dir);
  const configTarget = binding.userConfigPath();
  if (options.config !== undefined) await writeFile(configTarget, options.config, { mode: OWNER_ONLY_FILE_MODE });
  const host = confinedHost(dir);
  await host.start();
  const dashboard = await startDashboard({ api: host, rendererDir: path.resolve('dist', 'renderer') });
  let dashboardOpen = true;
  const stopDashboard = async (): Promise<void> => {
    if (!dashboardOpen) return;
    dashboardOpen = false;
    await dashboard.close();
  };
  return {
    url: dashboard.url,
    configTarget,
    host,
    stopDashboard,
    close: async () => {
      await stopDashboard();
      await host.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What the browser tests run against: a real `AgentHost` behind the real dashboard server, on a
 * private HOME / XDG_CONFIG_HOME so the config search and the import touch only a temp folder.
 *
 * This round has no engine: `startUnconfiguredAgent` is the first-run state (no configuration
 * found). The engine round adds `startAgentWithGateway` here: a gateway and an engine connected to
 * it, with a config file in the temp folder; the tests then use the same `AgentFixture`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentHost } from '../../../../src/host/agent-host.js';
import { createTunnelEngine } from '../../../../src/host/tunnel-engine-factory.js';
import type { AgentConfig } from '../../../../src/tunnel/config/index.js';
import { confinedConfigBinding } from '../../../unit/host/support/unconfigured-host.js';
import { startDashboard } from '../../../../src/host/dashboard-server.js';

export interface AgentFixture {
  /** The dashboard URL, token included. */
  readonly url: string;
  /** Where an import is written (the fixture's $XDG_CONFIG_HOME/cluvio-agent.toml). */
  readonly configTarget: string;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startUnconfiguredAgent(): Promise<AgentFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-ui-'));
  await mkdir(path.join(dir, 'config'), { recursive: true });
  const binding = confinedConfigBinding(dir);
  const host = new AgentHost<AgentConfig>({ appVersion: '0.1.0', transport: 'dashboard', config: binding, createEngine: createTunnelEngine });
  await host.start();
  const dashboard = await startDashboard({ api: host, rendererDir: path.resolve('dist', 'renderer') });
  return {
    url: dashboard.url,
    configTarget: binding.userConfigPath(),
    dir,
    close: async () => {
      await dashboard.close();
      await host.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

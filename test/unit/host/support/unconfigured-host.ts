import path from 'node:path';
import { AgentHost } from '../../../../src/host/agent-host.js';
import type { ConfigBinding } from '../../../../src/host/config-binding.js';
import { tunnelConfigBinding } from '../../../../src/host/tunnel-config-binding.js';
import { tunnelEngineFactory } from '../../../../src/host/tunnel-engine-factory.js';
import type { AgentConfig } from '../../../../src/tunnel/config/index.js';

/** The real config binding with every search location inside `dir` (Linux layout; /etc left out). */
export function confinedConfigBinding(dir: string): ConfigBinding<AgentConfig> {
  const real = tunnelConfigBinding({
    platform: 'linux',
    env: { HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'config') },
    homeDir: path.join(dir, 'home'),
    exeDir: path.join(dir, 'bin'),
  });
  return { ...real, searchPaths: () => real.searchPaths().filter((p) => p.startsWith(dir)) };
}

/** The version the test hosts report (the engine shows it in its snapshots). */
export const TEST_APP_VERSION = '0.1.0-test';

/** A host on the real config module and the product's engine factory, searching only inside `dir`. */
export function confinedHost(dir: string, configPath: string | null = null): AgentHost<AgentConfig> {
  return new AgentHost<AgentConfig>({
    appVersion: TEST_APP_VERSION,
    transport: 'dashboard',
    config: confinedConfigBinding(dir),
    createEngine: tunnelEngineFactory({ version: TEST_APP_VERSION }),
    configPath,
  });
}

/** A host that finds no file in `dir` (until one is written or imported there). */
export const unconfiguredHost = (dir: string): AgentHost<AgentConfig> => confinedHost(dir);

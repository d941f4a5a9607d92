import path from 'node:path';
import { AgentHost } from '../../../../src/host/agent-host.js';
import type { ConfigBinding } from '../../../../src/host/config-binding.js';
import { tunnelConfigBinding } from '../../../../src/host/tunnel-config-binding.js';
import { createTunnelEngine } from '../../../../src/host/tunnel-engine-factory.js';
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

/** A host on the real config module and the product's engine factory, finding no file in `dir`. */
export function unconfiguredHost(dir: string): AgentHost<AgentConfig> {
  return new AgentHost<AgentConfig>({ appVersion: '0.1.0-test', transport: 'dashboard', config: confinedConfigBinding(dir), createEngine: createTunnelEngine });
}

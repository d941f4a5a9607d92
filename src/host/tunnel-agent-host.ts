/**
 * An `AgentHost` wired to the tunnel: the real config module and the real engine factory. The
 * Electron main process and `cluvio-agent --dashboard` both construct the host through this.
 */
import type { ConfigSearchContext } from '../tunnel/config/index.js';
import type { AgentConfig } from '../tunnel/config/index.js';
import { AgentHost, type AgentHostOptions } from './agent-host.js';
import { tunnelConfigBinding } from './tunnel-config-binding.js';
import { createTunnelEngine } from './tunnel-engine-factory.js';

export interface TunnelAgentHostOptions extends Omit<AgentHostOptions<AgentConfig>, 'config' | 'createEngine'> {
  /** Where configuration files are searched for and imported to. */
  readonly search: ConfigSearchContext;
}

export function createTunnelAgentHost(options: TunnelAgentHostOptions): AgentHost<AgentConfig> {
  const { search, ...rest } = options;
  return new AgentHost<AgentConfig>({ ...rest, config: tunnelConfigBinding(search), createEngine: createTunnelEngine });
}

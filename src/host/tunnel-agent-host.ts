/**
 * An `AgentHost` wired to the tunnel: the real config module and the engine factory. The Electron
 * main process and `cluvio-agent --dashboard` both construct the host through this.
 */
import type { AgentConfig, ConfigSearchContext } from '../tunnel/config/index.js';
import { AgentHost, type AgentHostOptions, type EngineFactory } from './agent-host.js';
import { tunnelConfigBinding } from './tunnel-config-binding.js';
import { createTunnelEngine } from './tunnel-engine-factory.js';

export interface TunnelAgentHostOptions extends Omit<AgentHostOptions<AgentConfig>, 'config' | 'createEngine'> {
  /** Where configuration files are searched for and imported to. */
  readonly search: ConfigSearchContext;
  /** Default: the tunnel engine; a caller that owns more of the engine's context (e.g. the CLI's LogHub) passes its own. */
  readonly createEngine?: EngineFactory<AgentConfig>;
}

export function createTunnelAgentHost(options: TunnelAgentHostOptions): AgentHost<AgentConfig> {
  const { search, createEngine = createTunnelEngine, ...rest } = options;
  return new AgentHost<AgentConfig>({ ...rest, config: tunnelConfigBinding(search), createEngine });
}

/**
 * An `AgentHost` wired to the tunnel: the real config module and the engine factory. The Electron
 * main process and `cluvio-agent --dashboard` both construct the host through this.
 */
import type { ProxySettings } from '../tunnel/agent/proxy-config.js';
import type { AgentConfig, ConfigSearchContext } from '../tunnel/config/index.js';
import { AgentHost, type AgentHostOptions, type EngineFactory } from './agent-host.js';
import { tunnelConfigBinding } from './tunnel-config-binding.js';
import { tunnelDiagnose } from './tunnel-diagnose.js';
import { tunnelEngineFactory } from './tunnel-engine-factory.js';

export interface TunnelAgentHostOptions extends Omit<AgentHostOptions<AgentConfig>, 'config' | 'createEngine'> {
  /** Where configuration files are searched for and imported to. */
  readonly search: ConfigSearchContext;
  /** Default: the tunnel engine reporting `appVersion`; a caller that needs more control (e.g. the CLI) wraps or replaces it. */
  readonly createEngine?: EngineFactory<AgentConfig>;
  /** The HTTP proxy of the default engines and of the diagnostics. */
  readonly proxy?: ProxySettings | null;
  /** A proxy setting that could not be used, reported by the diagnostics. */
  readonly proxyProblem?: string | null;
}

export function createTunnelAgentHost(options: TunnelAgentHostOptions): AgentHost<AgentConfig> {
  const { search, proxy = null, proxyProblem = null, createEngine = tunnelEngineFactory({ version: options.appVersion, proxy }), ...rest } = options;
  return new AgentHost<AgentConfig>({
    ...rest,
    config: tunnelConfigBinding(search),
    createEngine,
    diagnose: tunnelDiagnose({ search, proxy, proxyProblem, version: options.appVersion }),
  });
}

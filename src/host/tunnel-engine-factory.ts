/**
 * How the host creates the tunnel engine for a configuration: the one place where `AgentHost`
 * meets the engine implementation (src/tunnel/agent/agent.ts).
 *
 * Each configuration gets a fresh `Agent` with a private log hub: the host listens to its `log`
 * event (every record, all levels) and is the one pipeline from there to the UI, the log file
 * and the CLI's terminal. The constructor throws when `[server] trust` cannot be used; the host
 * then shows the agent as stopped with that reason.
 */
import { Agent, type ProxySettings } from '../tunnel/agent/index.js';
import type { AgentConfig } from '../tunnel/config/index.js';
import type { EngineFactory } from './host-lifecycle.js';

export interface TunnelEngineOptions {
  /** The version snapshots show: the desktop app's (or the CLI package's), not the protocol's 1.3.0. */
  readonly version: string;
  /** The HTTP proxy for the gateway connection (null or absent: direct). */
  readonly proxy?: ProxySettings | null;
}

export function tunnelEngineFactory(options: TunnelEngineOptions): EngineFactory<AgentConfig> {
  return (config) => new Agent({ config, version: options.version, proxy: options.proxy ?? null });
}

/**
 * How the host creates the tunnel engine for a configuration: the one place where `AgentHost`
 * meets the engine implementation (src/tunnel/agent/agent.ts).
 *
 * The engine is not part of this build yet. Until it is, the factory says so, and the host
 * reports the agent as stopped with that reason instead of pretending to connect.
 */
import type { AgentConfig } from '../tunnel/config/index.js';
import type { EngineFactory } from './agent-host.js';

export const ENGINE_UNAVAILABLE = 'the tunnel engine is not part of this build yet';

export const createTunnelEngine: EngineFactory<AgentConfig> = () => {
  throw new Error(ENGINE_UNAVAILABLE);
};

/**
 * The one place where the CLI hands a validated configuration to the tunnel engine. Until the
 * engine lands this says so plainly and exits 2; nothing pretends to connect.
 */
import type { AgentConfig } from '../tunnel/config/agent-config.js';
import type { LocatedConfigFile } from '../tunnel/config/load-config.js';
import type { LogHub } from '../tunnel/log/logger.js';
import type { TextStream } from '../tunnel/log/stream-sink.js';

export interface AgentRunContext {
  readonly config: AgentConfig;
  readonly configFile: LocatedConfigFile;
  /** Where the engine creates its loggers (`log.logger('cluvio_agent').child('agent')`); sinks are attached. */
  readonly log: LogHub;
  readonly stderr: TextStream;
}

/** Exit status when the tunnel cannot run in this build. */
export const NOT_AVAILABLE_EXIT_CODE = 2;

/** Runs the agent until it ends; resolves to the process exit status. */
export function runAgent(context: AgentRunContext): Promise<number> {
  context.stderr.write(
    `cluvio-agent: the configuration ${context.configFile.path} is valid (agent ${context.config.agentId}), ` +
      'but running the tunnel is not available yet in this build: the engine has not landed.\n',
  );
  return Promise.resolve(NOT_AVAILABLE_EXIT_CODE);
}

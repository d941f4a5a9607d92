/**
 * An in-process `Agent` for engine tests: its log records and state transitions are kept for
 * assertions, and it is stopped after the test.
 */
import type { AgentState } from '../../../../src/shared/agent-state.js';
import type { LogRecord } from '../../../../src/shared/log-record.js';
import { Agent, type AgentOptions } from '../../../../src/tunnel/agent/agent.js';
import type { AgentConfig } from '../../../../src/tunnel/config/agent-config.js';
import { LogHub } from '../../../../src/tunnel/log/logger.js';
import { LogTargetFilter } from '../../../../src/tunnel/log/target-filter.js';
import { until } from './wait.js';

export interface AgentHarness {
  readonly agent: Agent;
  readonly logs: LogRecord[];
  readonly states: AgentState[];
  /** Resolves once a record with `message` (exact, or matching) has been logged. */
  logged(message: string | RegExp, from?: number): Promise<LogRecord>;
  /** Resolves once the agent has been in `phase` (counting from transition number `from`). */
  reached(phase: AgentState['phase'], from?: number): Promise<AgentState>;
}

export function startAgent(
  config: AgentConfig,
  options: Omit<AgentOptions, 'config' | 'log'> = {},
  cleanups: (() => Promise<unknown>)[] = [],
): AgentHarness {
  const hub = new LogHub();
  const logs: LogRecord[] = [];
  hub.subscribe((record) => logs.push(record), LogTargetFilter.allAt('trace'));
  const agent = new Agent({ ...options, config, log: hub });
  const states: AgentState[] = [];
  agent.on('state', (state) => states.push(state));
  cleanups.push(() => agent.stop());
  agent.start();
  const matches = (record: LogRecord, message: string | RegExp): boolean =>
    typeof message === 'string' ? record.message === message : message.test(record.message);
  return {
    agent,
    logs,
    states,
    async logged(message, from = 0) {
      let found: LogRecord | undefined;
      await until(
        () => (found = logs.slice(from).find((record) => matches(record, message))) !== undefined,
        `log record ${String(message)}`,
      );
      if (found === undefined) throw new Error('unreachable');
      return found;
    },
    async reached(phase, from = 0) {
      let found: AgentState | undefined;
      await until(
        () => (found = states.slice(from).find((state) => state.phase === phase)) !== undefined,
        `phase ${phase}`,
      );
      if (found === undefined) throw new Error('unreachable');
      return found;
    },
  };
}

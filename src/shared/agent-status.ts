/**
 * The five-way status a glance needs (tray icon, badge colour) and the words for each state,
 * shared by the tray (main process) and the UI so they never disagree.
 */
import type { AgentState } from './agent-state.js';

export const AGENT_STATUSES = ['online', 'connecting', 'backing-off', 'disabled', 'error'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export function agentStatus(state: AgentState): AgentStatus {
  switch (state.phase) {
    case 'online':
      return 'online';
    case 'idle':
    case 'connecting':
    case 'authenticating':
      return 'connecting';
    case 'backing-off':
      return 'backing-off';
    case 'disabled':
    case 'stopped':
      return 'disabled';
    case 'terminated':
      return 'error';
    case 'unconfigured':
      // First run (nothing found) is not an error; a broken file is.
      return state.problem === null ? 'disabled' : 'error';
  }
}

/** A short label, e.g. for a badge or the tray's status line. */
export function stateLabel(state: AgentState): string {
  switch (state.phase) {
    case 'unconfigured':
      return state.problem === null ? 'Not configured' : 'Configuration error';
    case 'idle':
      return 'Starting';
    case 'connecting':
      return 'Connecting';
    case 'authenticating':
      return 'Authenticating';
    case 'online':
      return 'Online';
    case 'backing-off':
      return 'Retrying';
    case 'disabled':
      return 'Disabled by Cluvio';
    case 'terminated':
      return 'Stopped by the gateway';
    case 'stopped':
      return 'Stopped';
  }
}

/** One sentence saying what is going on and, where the user can act, what to do. */
export function stateDescription(state: AgentState, now: number): string {
  const inSeconds = (at: number): string => `${Math.max(0, Math.ceil((at - now) / 1000))} s`;
  switch (state.phase) {
    case 'unconfigured':
      if (state.problem === null)
        return 'No configuration file yet: import the cluvio-agent.toml you downloaded from Cluvio.';
      return `${state.problem.key === null ? '' : `${state.problem.key}: `}${state.problem.message}`;
    case 'idle':
      return 'The configuration is loaded; the agent is starting.';
    case 'connecting':
      return `Connecting to ${state.server}${state.attempt > 1 ? ` (attempt ${state.attempt})` : ''}.`;
    case 'authenticating':
      return `Connected to ${state.server} (${state.remoteAddress}); proving the agent's identity.`;
    case 'online':
      return `Connected to ${state.server} (${state.remoteAddress}).`;
    case 'backing-off':
      return `${state.reason}. Next attempt in ${inSeconds(state.nextAttemptAt)}.`;
    case 'disabled':
      return `This agent is disabled in Cluvio. Checking again in ${inSeconds(state.nextAttemptAt)}.`;
    case 'terminated':
      return `${state.reason}: ${state.message}`;
    case 'stopped':
      return 'The agent is not running.';
  }
}

/**
 * The window's (or the browser tab's) title and the dashboard's favicon follow the agent's state,
 * so a background tab or a window in the taskbar says when the agent is offline. No DOM here:
 * unit-tested under Node; hooks/use-document-status.ts applies it.
 */
import type { AgentState } from '../shared/agent-state.js';
import { agentStatus, type AgentStatus, stateLabel } from '../shared/agent-status.js';

export const APP_TITLE = 'Cluvio Agent';

/** `Online · Cluvio Agent`, `Offline, retrying · Cluvio Agent`; `null`: no state yet. */
export function documentTitle(state: AgentState | null, agentReachable: boolean): string {
  if (!agentReachable) return `Agent unreachable · ${APP_TITLE}`;
  if (state === null) return APP_TITLE;
  const status = agentStatus(state);
  const label = status === 'backing-off' ? 'Offline, retrying' : stateLabel(state);
  return `${label} · ${APP_TITLE}`;
}

/** The favicon for a status: the brand mark with a badge in the status colour. */
export function faviconFile(status: AgentStatus | null): string {
  return status === null ? './favicon.svg' : `./favicon-${status}.svg`;
}

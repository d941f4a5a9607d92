import type { ReactElement } from 'react';
import type { AgentState } from '../../shared/agent-state.js';
import { agentStatus, stateLabel } from '../../shared/agent-status.js';

/** The state as a coloured pill; the colour follows the tray icon's five statuses. */
export function StateBadge({ state }: { readonly state: AgentState }): ReactElement {
  return (
    <span className={`badge badge-${agentStatus(state)}`} data-testid="state-badge" data-phase={state.phase}>
      <span className="badge-dot" aria-hidden="true" />
      {stateLabel(state)}
    </span>
  );
}

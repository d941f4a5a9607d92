import { useEffect, useState } from 'react';
import type { AgentState } from '../../shared/agent-state.js';
import { agentStatus } from '../../shared/agent-status.js';
import type { ConnectionMonitor } from '../dashboard-transport.js';
import { documentTitle, faviconFile } from '../document-status.js';

/** Keeps the document's title and favicon on the agent's state (and on whether the dashboard still reaches it). */
export function useDocumentStatus(state: AgentState | null, connection: ConnectionMonitor | null): void {
  const [reachable, setReachable] = useState(true);
  useEffect(() => connection?.onChange(setReachable), [connection]);
  useEffect(() => {
    document.title = documentTitle(state, reachable);
    const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (icon !== null)
      icon.href = faviconFile(reachable && state !== null ? agentStatus(state) : reachable ? null : 'error');
  }, [state, reachable]);
}

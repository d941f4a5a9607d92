/** Picks the transport: the preload's bridge inside Electron, the dashboard's HTTP API in a browser. */
import type { AgentApi } from '../shared/agent-api.js';
import { createAgentApiClient } from '../shared/agent-api-client.js';
import { type ConnectionMonitor, createDashboardTransport } from './dashboard-transport.js';

export function resolveAgentApi(): { readonly api: AgentApi; readonly connection: ConnectionMonitor | null } {
  if (window.agentApi !== undefined) return { api: window.agentApi, connection: null };
  const { transport, connection } = createDashboardTransport(new URL('./', window.location.href));
  return { api: createAgentApiClient(transport), connection };
}

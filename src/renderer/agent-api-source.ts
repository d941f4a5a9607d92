/** Picks the transport: the preload's bridge inside Electron, the dashboard's HTTP API in a browser. */
import type { AgentApi } from '../shared/agent-api.js';
import { createAgentApiClient } from '../shared/agent-api-client.js';
import { createDashboardTransport } from './dashboard-transport.js';

export function resolveAgentApi(): AgentApi {
  if (window.agentApi !== undefined) return window.agentApi;
  return createAgentApiClient(createDashboardTransport(new URL('./', window.location.href)));
}

/** The `AgentApi` the UI talks to, provided once at the root. */
import { createContext, useContext } from 'react';
import type { AgentApi } from '../shared/agent-api.js';

export const AgentApiContext = createContext<AgentApi | null>(null);

export function useAgentApi(): AgentApi {
  const api = useContext(AgentApiContext);
  if (api === null) throw new Error('useAgentApi outside <AgentApiContext.Provider>');
  return api;
}

import { useEffect, useState } from 'react';
import type { AgentSnapshot } from '../../shared/agent-state.js';
import { useAgentApi } from '../api-context.js';

/** The agent's latest snapshot (null until the first one arrives). */
export function useSnapshot(): AgentSnapshot | null {
  const api = useAgentApi();
  const [snapshot, setSnapshot] = useState<AgentSnapshot | null>(null);
  useEffect(() => api.onSnapshot(setSnapshot), [api]);
  return snapshot;
}

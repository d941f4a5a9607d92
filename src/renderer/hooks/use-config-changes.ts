import { useEffect, useState } from 'react';
import type { ConfigChangesState } from '../../shared/agent-api.js';
import { useAgentApi } from '../api-context.js';

/** The latest import or restore and what "Restore previous" would go back to (null until the first push). */
export function useConfigChanges(): ConfigChangesState | null {
  const api = useAgentApi();
  const [state, setState] = useState<ConfigChangesState | null>(null);
  useEffect(() => api.onConfigChanges(setState), [api]);
  return state;
}

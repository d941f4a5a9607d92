import { useCallback, useState } from 'react';
import type { ConfigProblem } from '../../shared/agent-state.js';
import { useAgentApi } from '../api-context.js';

export interface RestorePrevious {
  /** A restore is on its way (until the gateway has answered, or the wait ended). */
  readonly restoring: boolean;
  /** Why the last restore could not start (no backup any more, an unreadable one), else empty. */
  readonly problems: readonly ConfigProblem[];
  readonly restore: () => void;
}

/** "Restore previous configuration": its outcome arrives with the configuration changes (use-config-changes.ts). */
export function useRestorePrevious(): RestorePrevious {
  const api = useAgentApi();
  const [restoring, setRestoring] = useState(false);
  const [problems, setProblems] = useState<readonly ConfigProblem[]>([]);
  const restore = useCallback((): void => {
    setRestoring(true);
    setProblems([]);
    api.restorePreviousConfig().then(
      (result) => {
        setRestoring(false);
        if (!result.ok) setProblems(result.problems);
      },
      (error: unknown) => {
        setRestoring(false);
        setProblems([{ file: null, key: null, message: error instanceof Error ? error.message : String(error) }]);
      },
    );
  }, [api]);
  return { restoring, problems, restore };
}

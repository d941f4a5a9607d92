import { useCallback, useState } from 'react';
import type { ConfigChange } from '../../shared/agent-api.js';
import type { ConfigProblem } from '../../shared/agent-state.js';
import { useAgentApi } from '../api-context.js';

export interface RestorePrevious {
  /** A restore is on its way (until the gateway has answered, or the wait ended). */
  readonly restoring: boolean;
  /** Why the last restore could not start (no backup any more, an unreadable one), else empty. */
  readonly problems: readonly ConfigProblem[];
  /** The restore this hook started, as its call returned (its later states arrive with the configuration changes). */
  readonly change: ConfigChange | null;
  readonly restore: () => void;
}

/** "Restore previous configuration": its outcome arrives with the configuration changes (use-config-changes.ts). */
export function useRestorePrevious(): RestorePrevious {
  const api = useAgentApi();
  const [restoring, setRestoring] = useState(false);
  const [problems, setProblems] = useState<readonly ConfigProblem[]>([]);
  const [change, setChange] = useState<ConfigChange | null>(null);
  const restore = useCallback((): void => {
    setRestoring(true);
    setProblems([]);
    api.restorePreviousConfig().then(
      (result) => {
        setRestoring(false);
        if (result.ok) setChange(result.change);
        else setProblems(result.problems);
      },
      (error: unknown) => {
        setRestoring(false);
        setProblems([{ file: null, key: null, message: error instanceof Error ? error.message : String(error) }]);
      },
    );
  }, [api]);
  return { restoring, problems, change, restore };
}

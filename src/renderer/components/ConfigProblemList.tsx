import type { ReactElement } from 'react';
import type { ConfigProblem } from '../../shared/agent-state.js';

/** Problems (or warnings) of a configuration file: each with its key, its value as written and what to do. */
export function ConfigProblemList({
  problems,
  testId,
}: {
  readonly problems: readonly ConfigProblem[];
  readonly testId: string;
}): ReactElement {
  return (
    <ul className="config-problems">
      {problems.map((problem, index) => (
        <li key={index} data-testid={testId}>
          {problem.key === null ? null : (
            <>
              <code className="problem-key">{problem.key}</code>
              {problem.value == null ? null : (
                <>
                  {' = '}
                  <code className="problem-value">{problem.value}</code>
                </>
              )}
              {': '}
            </>
          )}
          <span className="problem-message">{problem.message}</span>
          {problem.fix == null ? null : <span className="problem-fix">{problem.fix}</span>}
        </li>
      ))}
    </ul>
  );
}

import type { ReactElement } from 'react';
import { type ConfigDifference, describeDifference } from '../../shared/config-difference.js';

/** What a configuration change does to the gateway, the agent ID and the allowed addresses, one line each. */
export function ConfigDifferenceList({
  difference,
  testId,
}: {
  readonly difference: ConfigDifference;
  readonly testId?: string;
}): ReactElement {
  return (
    <ul className="config-difference" data-testid={testId}>
      {describeDifference(difference).map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

import type { ReactElement } from 'react';
import type { AgentSnapshot } from '../../shared/agent-state.js';
import { stateDescription } from '../../shared/agent-status.js';
import { CopyButton } from '../components/CopyButton.js';
import { StateBadge } from '../components/StateBadge.js';
import { formatBytes, formatDateTime, formatDuration } from '../format.js';
import { useNow } from '../hooks/use-now.js';

export function StatusView({
  snapshot,
  onImport,
}: {
  readonly snapshot: AgentSnapshot;
  readonly onImport: () => void;
}): ReactElement {
  const now = useNow(1000);
  const { config, state, counters } = snapshot;
  const since = counters.connectedSince;
  return (
    <section aria-labelledby="status-heading" className="view">
      <h2 id="status-heading">Status</h2>
      <div className="status-summary">
        <StateBadge state={state} />
        <p data-testid="state-description">{stateDescription(state, now)}</p>
      </div>
      {config === null ? (
        <p>
          <button type="button" className="button primary" onClick={onImport}>
            Import configuration…
          </button>
        </p>
      ) : null}
      <dl className="facts">
        <dt>Agent ID</dt>
        <dd>
          {config === null ? (
            '–'
          ) : (
            <>
              <code data-testid="agent-id">{config.agentId}</code>{' '}
              <CopyButton text={config.agentId} label="Copy agent ID" />
            </>
          )}
        </dd>
        <dt>Server</dt>
        <dd data-testid="server">{config === null ? '–' : `${config.server.host}:${config.server.port}`}</dd>
        <dt>Connected since</dt>
        <dd>{since === null ? '–' : `${formatDateTime(since)} (${formatDuration(now - since)})`}</dd>
        <dt>Reconnects</dt>
        <dd>{counters.reconnects}</dd>
        <dt>Streams</dt>
        <dd>
          {counters.streamsOpen} open, {counters.streamsTotal} total, {counters.streamsFailed} failed
        </dd>
        <dt>Transferred</dt>
        <dd>
          {formatBytes(counters.bytesToTarget)} to databases, {formatBytes(counters.bytesFromTarget)} from databases
        </dd>
        <dt>Last error</dt>
        <dd data-testid="last-error">
          {counters.lastError === null
            ? 'none'
            : `${counters.lastError.message} (${formatDateTime(counters.lastError.at)})`}
        </dd>
        <dt>Configuration file</dt>
        <dd>{config?.path ?? '–'}</dd>
        <dt>Version</dt>
        <dd>{snapshot.version}</dd>
      </dl>
    </section>
  );
}

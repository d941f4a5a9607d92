import { type ReactElement, useState } from 'react';
import type { AgentSnapshot, ReconnectNowOutcome } from '../../shared/agent-state.js';
import { stateDescription } from '../../shared/agent-status.js';
import { explainGatewayFailure } from '../../shared/connection-fixes.js';
import { useAgentApi } from '../api-context.js';
import { CopyButton } from '../components/CopyButton.js';
import { StateBadge } from '../components/StateBadge.js';
import { TrafficChart } from '../components/TrafficChart.js';
import { formatBytes, formatDateTime, formatDuration } from '../format.js';
import { useNow } from '../hooks/use-now.js';
import { useTraffic } from '../hooks/use-traffic.js';

const OUTCOME_TEXT: Readonly<Record<ReconnectNowOutcome, string>> = {
  connecting: 'Connecting now…',
  'already-connecting': 'Already connecting: the attempt in progress ends within connect-timeout.',
  online: 'The agent is online.',
  'not-running': 'The agent is not running.',
};

/** "Reconnect now" while the agent waits to retry; greyed out while an attempt is already under way. */
function ReconnectNow({ snapshot }: { readonly snapshot: AgentSnapshot }): ReactElement | null {
  const api = useAgentApi();
  const [outcome, setOutcome] = useState('');
  const phase = snapshot.state.phase;
  const waiting = phase === 'backing-off' || phase === 'disabled';
  const attempting = phase === 'connecting' || phase === 'authenticating';
  if (!waiting && !attempting) return null;
  const reconnect = (): void => {
    setOutcome('');
    api.reconnectNow().then(
      (result) => {
        setOutcome(OUTCOME_TEXT[result]);
      },
      (failure: unknown) => {
        setOutcome(
          `Could not ask the agent to reconnect: ${failure instanceof Error ? failure.message : String(failure)}`,
        );
      },
    );
  };
  return (
    <p className="toolbar">
      <button type="button" className="button primary" onClick={reconnect} disabled={!waiting}>
        {waiting ? 'Reconnect now' : 'Connecting…'}
      </button>
      <span role="status" className="toolbar-status" data-testid="reconnect-outcome">
        {outcome}
      </span>
    </p>
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** True when the allowlist lets the agent reach anything (the reference's default). */
function allowsEverything(addresses: readonly string[]): boolean {
  return addresses.some((address) => address === '0.0.0.0/0' || address === '::/0' || address === '*.');
}

/** The state in a sentence; while the problem box explains a failed attempt, only when the next one comes. */
function describeState(snapshot: AgentSnapshot, now: number): string {
  const { state, counters } = snapshot;
  if (state.phase === 'backing-off' && counters.lastError?.code !== undefined)
    return `Not connected. Next attempt in ${Math.max(0, Math.ceil((state.nextAttemptAt - now) / 1000))} s.`;
  return stateDescription(state, now);
}

/** Why the agent is not online, in plain words, with the fix and the way to Diagnose. */
function ConnectionProblem({
  snapshot,
  onDiagnose,
}: {
  readonly snapshot: AgentSnapshot;
  readonly onDiagnose: () => void;
}): ReactElement | null {
  const { state, counters, config } = snapshot;
  const error = counters.lastError;
  const offline = state.phase === 'backing-off' || state.phase === 'connecting';
  if (!offline || error === null || config === null) return null;
  const explained =
    error.code === undefined
      ? null
      : explainGatewayFailure(error.code, error.message, config.server, error.viaProxy === true);
  return (
    <div className="alert alert-warn" data-testid="connection-problem">
      <p>
        <strong>Cannot reach the gateway.</strong>
      </p>
      {explained === null ? null : (
        <>
          <p data-testid="connection-cause">
            <span className="diagnose-fix-label">Cause: </span>
            {capitalised(explained.cause)}.
          </p>
          <p data-testid="connection-fix">
            <span className="diagnose-fix-label">Fix: </span>
            {explained.fix}
          </p>
        </>
      )}
      <p className="hint">{error.message}</p>
      <p>
        <button type="button" className="button" onClick={onDiagnose}>
          Run Diagnose
        </button>{' '}
        <span className="hint">checks each step to the gateway and says what to change.</span>
      </p>
    </div>
  );
}

export function StatusView({
  snapshot,
  onImport,
  onDiagnose,
}: {
  readonly snapshot: AgentSnapshot;
  readonly onImport: () => void;
  readonly onDiagnose: () => void;
}): ReactElement {
  const now = useNow(1000);
  const traffic = useTraffic();
  const { config, state, counters } = snapshot;
  const since = counters.connectedSince;
  return (
    <section aria-labelledby="status-heading" className="view">
      <h2 id="status-heading">Status</h2>
      <div className="status-summary">
        <StateBadge state={state} />
        <p data-testid="state-description">{describeState(snapshot, now)}</p>
      </div>
      <ReconnectNow snapshot={snapshot} />
      <ConnectionProblem snapshot={snapshot} onDiagnose={onDiagnose} />
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
        <dt>May reach</dt>
        <dd>
          {config === null ? (
            '–'
          ) : (
            <>
              <ul className="chips" aria-label="Allowed addresses" data-testid="allowed-addresses">
                {config.allowedAddresses.map((address) => (
                  <li key={address}>
                    <code>{address}</code>
                  </li>
                ))}
              </ul>
              <span className="hint">
                {allowsEverything(config.allowedAddresses)
                  ? 'allowed-addresses lets the agent reach any address Cluvio asks for: list only your databases to limit it.'
                  : 'allowed-addresses: the agent connects nowhere else, whatever Cluvio asks for.'}
              </span>
            </>
          )}
        </dd>
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
      {config === null ? null : <TrafficChart samples={traffic} />}
    </section>
  );
}

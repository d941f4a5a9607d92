/**
 * Above every view: how the latest import or restore went, while it matters — waiting for the
 * gateway, kept while it cannot be reached, rolled back, refused — and "Stopped by the gateway"
 * with what it means and what to do. Each offers what fixes it: restoring the previous
 * configuration, importing another one.
 */
import { useState, type ReactElement } from 'react';
import type { ConfigChange, ConfigChangesState } from '../../shared/agent-api.js';
import type { AgentSnapshot } from '../../shared/agent-state.js';
import { isPermanentRefusal, refusalWords } from '../../shared/gateway-refusal-words.js';
import { useNow } from '../hooks/use-now.js';
import { useRestorePrevious } from '../hooks/use-restore-previous.js';
import { ConfigProblemList } from './ConfigProblemList.js';
import './config-changes.css';

/** A confirmation stays on screen this long (the connection is then plain to see on Status). */
const CONFIRMED_SHOWN_MS = 10 * 60_000;

const TONE: Readonly<Record<ConfigChange['status'], 'ok' | 'warn' | 'error'>> = {
  unchanged: 'ok',
  connecting: 'warn',
  confirmed: 'ok',
  unreachable: 'warn',
  disabled: 'warn',
  'rolled-back': 'error',
  refused: 'error',
};

export function ConfigNotice({
  snapshot,
  changes,
  onImport,
}: {
  readonly snapshot: AgentSnapshot;
  readonly changes: ConfigChangesState | null;
  readonly onImport: () => void;
}): ReactElement | null {
  const now = useNow(30_000);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const { restoring, problems, restore } = useRestorePrevious();
  const last = changes?.last ?? null;
  const previous = changes?.previous ?? null;
  const state = snapshot.state;
  const stopped = state.phase === 'terminated' && isPermanentRefusal(state.reason) ? { reason: state.reason } : null;

  const recent =
    last !== null &&
    last.status !== 'unchanged' &&
    (last.status !== 'confirmed' || now - last.startedAt < CONFIRMED_SHOWN_MS)
      ? last
      : null;
  // Stopped by the gateway says more than an earlier change's words, unless that change is the refused one.
  const words =
    stopped !== null && recent?.status !== 'refused'
      ? refusalWords({ kind: 'terminated', reason: stopped.reason })
      : null;
  const shown = words === null ? recent : null;
  const key =
    words !== null
      ? `stopped:${snapshot.config?.agentId ?? ''}:${stopped?.reason ?? ''}`
      : shown === null
        ? null
        : `${shown.id}:${shown.status}`;
  if (key === null || key === dismissed) return null;

  const tone = shown === null ? 'error' : TONE[shown.status];
  const canRestore =
    previous !== null && (shown === null || !['confirmed', 'rolled-back', 'unchanged'].includes(shown.status));
  return (
    <div
      className={`alert alert-${tone} config-notice`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid="config-notice"
      data-status={shown?.status ?? 'stopped'}
    >
      {words !== null ? (
        <>
          <p>
            <strong>Stopped by the gateway.</strong> {words.why}
          </p>
          <p className="problem-fix">{words.fix}</p>
        </>
      ) : shown === null ? null : (
        <>
          <p data-testid="config-notice-message">{shown.message}</p>
          {shown.fix === null ? null : <p className="problem-fix">{shown.fix}</p>}
        </>
      )}
      {problems.length === 0 ? null : <ConfigProblemList problems={problems} testId="restore-problem" />}
      <p className="config-notice-actions">
        {stopped === null ? null : (
          <button type="button" className="button primary" onClick={onImport}>
            Import configuration…
          </button>
        )}
        {canRestore ? (
          <button type="button" className="button" disabled={restoring} onClick={restore}>
            {restoring ? 'Restoring…' : 'Restore previous configuration'}
          </button>
        ) : null}
        <button
          type="button"
          className="button small"
          onClick={() => {
            setDismissed(key);
          }}
        >
          Dismiss
        </button>
      </p>
    </div>
  );
}

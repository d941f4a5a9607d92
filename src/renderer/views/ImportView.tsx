import { type DragEvent, useCallback, useRef, useState, type ReactElement } from 'react';
import type { ConfigChange, ConfigImportResult } from '../../shared/agent-api.js';
import type { ConfigProblem } from '../../shared/agent-state.js';
import {
  checkConfigFileBytes,
  formatFileSize,
  MAX_CONFIG_FILE_BYTES,
  tooLargeProblem,
} from '../../shared/config-file-check.js';
import { useAgentApi } from '../api-context.js';
import { ConfigDifferenceList } from '../components/ConfigDifferenceList.js';
import { ConfigProblemList } from '../components/ConfigProblemList.js';
import { formatDateTime } from '../format.js';
import { useConfigChanges } from '../hooks/use-config-changes.js';
import { useHostInfo } from '../hooks/use-host-info.js';
import { useRestorePrevious } from '../hooks/use-restore-previous.js';
import '../components/config-changes.css';

type ImportStatus =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy'; readonly fileName: string }
  /** Refused in the browser before anything was sent: too large, empty, not text. */
  | { readonly kind: 'refused'; readonly fileName: string; readonly problem: ConfigProblem }
  | { readonly kind: 'done'; readonly fileName: string; readonly result: ConfigImportResult }
  | { readonly kind: 'failed'; readonly fileName: string; readonly message: string };

/**
 * Reads a dropped or picked file and hands it to the agent, which validates it, writes it,
 * restarts on it and answers once the gateway has (or after a bound). The size is checked before
 * the file is read, the bytes before anything is uploaded.
 */
export function useConfigImport(): { readonly status: ImportStatus; readonly importFile: (file: File) => void } {
  const api = useAgentApi();
  const [status, setStatus] = useState<ImportStatus>({ kind: 'idle' });
  const importFile = useCallback(
    (file: File): void => {
      const fileName = file.name;
      if (file.size > MAX_CONFIG_FILE_BYTES) {
        setStatus({ kind: 'refused', fileName, problem: tooLargeProblem(fileName, file.size) });
        return;
      }
      setStatus({ kind: 'busy', fileName });
      void file
        .arrayBuffer()
        .then(async (buffer) => {
          const checked = checkConfigFileBytes(fileName, new Uint8Array(buffer));
          if (!checked.ok) {
            setStatus({ kind: 'refused', fileName, problem: checked.problem });
            return;
          }
          const result = await api.importConfig({ fileName, text: checked.text });
          setStatus({ kind: 'done', fileName, result });
        })
        .catch((error: unknown) => {
          setStatus({ kind: 'failed', fileName, message: error instanceof Error ? error.message : String(error) });
        });
    },
    [api],
  );
  return { status, importFile };
}

const OUTCOME_TONE: Readonly<Record<ConfigChange['status'], 'ok' | 'warn' | 'error'>> = {
  unchanged: 'ok',
  connecting: 'warn',
  confirmed: 'ok',
  unreachable: 'warn',
  disabled: 'warn',
  'rolled-back': 'error',
  refused: 'error',
};

function ChangeOutcome({ change }: { readonly change: ConfigChange }): ReactElement {
  return (
    <div
      className={`alert alert-${OUTCOME_TONE[change.status]}`}
      data-testid="import-outcome"
      data-status={change.status}
    >
      <p data-testid="import-outcome-message">{change.message}</p>
      {change.fix === null ? null : <p className="problem-fix">{change.fix}</p>}
      {change.status === 'unchanged' ? null : (
        <>
          <ConfigDifferenceList difference={change.difference} testId="import-difference" />
          {change.status === 'rolled-back' ? null : (
            <p>
              Written to <code>{change.path}</code>
              {change.backupPath === null ? (
                '.'
              ) : (
                <>
                  ; the previous file is kept as <code>{change.backupPath}</code>.
                </>
              )}
            </p>
          )}
        </>
      )}
      {change.shadowedBy === null ? null : (
        <p>
          Note: the command-line agent would read <code>{change.shadowedBy}</code> first. Remove that file or run it
          with <code>--config {change.path}</code>.
        </p>
      )}
      {change.warnings.length === 0 ? null : (
        <>
          <p>Keys the agent ignores:</p>
          <ConfigProblemList problems={change.warnings} testId="import-warning" />
        </>
      )}
    </div>
  );
}

function Outcome({ status, latest }: { readonly status: ImportStatus; readonly latest: ConfigChange | null }) {
  switch (status.kind) {
    case 'idle':
      return null;
    case 'busy':
      return <p>Checking {status.fileName}, then waiting for the gateway to answer…</p>;
    case 'failed':
      return (
        <div className="alert alert-error" data-testid="import-error">
          <p>
            <strong>{status.fileName} was not imported:</strong> {status.message}
          </p>
        </div>
      );
    case 'refused':
      return (
        <div className="alert alert-error" data-testid="import-problems">
          <p>
            <strong>{status.fileName} was not imported.</strong> Nothing was sent or changed.
          </p>
          <ConfigProblemList problems={[status.problem]} testId="import-problem" />
        </div>
      );
    case 'done': {
      const { result } = status;
      if (!result.ok) {
        const count = result.problems.length;
        return (
          <div className="alert alert-error" data-testid="import-problems">
            <p>
              <strong>{status.fileName} was not imported</strong>: {count === 1 ? 'one problem' : `${count} problems`}.
              Nothing was changed.
            </p>
            <ConfigProblemList problems={result.problems} testId="import-problem" />
            {result.warnings.length === 0 ? null : (
              <>
                <p>Keys the agent ignores:</p>
                <ConfigProblemList problems={result.warnings} testId="import-warning" />
              </>
            )}
          </div>
        );
      }
      // The change goes on after the call returned (the gateway answers later, a roll-back): show its latest state.
      return <ChangeOutcome change={latest?.id === result.change.id ? latest : result.change} />;
    }
  }
}

function PreviousConfig(): ReactElement | null {
  const changes = useConfigChanges();
  const { restoring, problems, change, restore } = useRestorePrevious();
  const previous = changes?.previous ?? null;
  const latest = changes?.last ?? null;
  const restored = change === null ? null : latest?.id === change.id ? latest : change;
  if (previous === null && restored === null) return null;
  if (previous === null) return restored === null ? null : <ChangeOutcome change={restored} />;
  return (
    <section className="previous-config" aria-labelledby="previous-heading" data-testid="previous-config">
      <h3 id="previous-heading">Previous configuration</h3>
      <p>Saved {formatDateTime(previous.savedAt)}. Restoring it changes:</p>
      <ConfigDifferenceList difference={previous.difference} testId="previous-difference" />
      <p className="restore-actions">
        <button type="button" className="button" disabled={restoring} onClick={restore}>
          {restoring ? 'Restoring…' : 'Restore previous configuration'}
        </button>
        <span className="problem-fix">The configuration in use is kept, so you can go back to it the same way.</span>
      </p>
      {problems.length === 0 ? null : <ConfigProblemList problems={problems} testId="restore-problem" />}
      {restored === null ? null : <ChangeOutcome change={restored} />}
    </section>
  );
}

export function ImportView({ status, importFile }: ReturnType<typeof useConfigImport>): ReactElement {
  const info = useHostInfo();
  const changes = useConfigChanges();
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const onDrop = (event: DragEvent<HTMLDivElement>): void => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files.item(0);
    if (file !== null) importFile(file);
  };
  return (
    <section aria-labelledby="import-heading" className="view">
      <h2 id="import-heading">Import configuration</h2>
      <p>
        Download <code>cluvio-agent.toml</code> for this agent from Cluvio and drop it here. It is checked first, then
        saved
        {info === null ? (
          ''
        ) : (
          <>
            {' '}
            to <code data-testid="config-target">{info.configTarget}</code>
          </>
        )}{' '}
        (readable by you only), and the agent restarts with it. If the gateway refuses it, the agent goes back to the
        configuration it ran on before.
      </p>
      <div
        className={`drop-zone${over ? ' drop-over' : ''}`}
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => {
          setOver(false);
        }}
        onDrop={onDrop}
      >
        <p>Drop cluvio-agent.toml here</p>
        <p>or</p>
        <button
          type="button"
          className="button primary"
          onClick={() => {
            input.current?.click();
          }}
        >
          Choose file…
        </button>
        <input
          ref={input}
          className="visually-hidden"
          aria-label="Configuration file"
          tabIndex={-1}
          type="file"
          accept=".toml,application/toml,text/plain"
          onChange={(event) => {
            const file = event.target.files?.item(0);
            if (file !== null && file !== undefined) importFile(file);
            if (input.current !== null) input.current.value = '';
          }}
        />
        <p className="problem-fix">At most {formatFileSize(MAX_CONFIG_FILE_BYTES)}.</p>
      </div>
      <div aria-live="polite">
        <Outcome status={status} latest={changes?.last ?? null} />
      </div>
      <PreviousConfig />
    </section>
  );
}

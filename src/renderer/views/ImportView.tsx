import { type DragEvent, useCallback, useRef, useState, type ReactElement } from 'react';
import type { ConfigImportResult } from '../../shared/agent-api.js';
import { useAgentApi } from '../api-context.js';
import { useHostInfo } from '../hooks/use-host-info.js';

type ImportStatus =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy'; readonly fileName: string }
  | { readonly kind: 'done'; readonly fileName: string; readonly result: ConfigImportResult }
  | { readonly kind: 'failed'; readonly fileName: string; readonly message: string };

/** Reads a dropped or picked file and hands it to the agent (which validates, writes and restarts). */
export function useConfigImport(): { readonly status: ImportStatus; readonly importFile: (file: File) => void } {
  const api = useAgentApi();
  const [status, setStatus] = useState<ImportStatus>({ kind: 'idle' });
  const importFile = useCallback(
    (file: File): void => {
      setStatus({ kind: 'busy', fileName: file.name });
      void file
        .text()
        .then((text) => api.importConfig({ fileName: file.name, text }))
        .then(
          (result) => {
            setStatus({ kind: 'done', fileName: file.name, result });
          },
          (error: unknown) => {
            setStatus({
              kind: 'failed',
              fileName: file.name,
              message: error instanceof Error ? error.message : String(error),
            });
          },
        );
    },
    [api],
  );
  return { status, importFile };
}

function Outcome({ status }: { readonly status: ImportStatus }) {
  switch (status.kind) {
    case 'idle':
      return null;
    case 'busy':
      return <p>Checking {status.fileName}…</p>;
    case 'failed':
      return (
        <div className="alert alert-error" data-testid="import-error">
          <p>
            <strong>{status.fileName} was not imported:</strong> {status.message}
          </p>
        </div>
      );
    case 'done': {
      const { result } = status;
      if (!result.ok) {
        return (
          <div className="alert alert-error" data-testid="import-problems">
            <p>
              <strong>{status.fileName} was not imported.</strong> Fix the following and drop it again:
            </p>
            <ul>
              {result.problems.map((problem, index) => (
                <li key={index} data-testid="import-problem">
                  {problem.key === null ? null : <code className="problem-key">{problem.key}</code>} {problem.message}
                </li>
              ))}
            </ul>
          </div>
        );
      }
      return (
        <div className="alert alert-ok" data-testid="import-success">
          <p>
            <strong>Imported {status.fileName}.</strong> The agent restarts as <code>{result.config.agentId}</code> with
            gateway {result.config.server.host}:{result.config.server.port}.
          </p>
          <p>
            Written to <code>{result.path}</code>
            {result.backupPath === null ? (
              '.'
            ) : (
              <>
                ; the previous file was kept as <code>{result.backupPath}</code>.
              </>
            )}
          </p>
          {result.shadowedBy === null ? null : (
            <p>
              Note: the command-line agent would read <code>{result.shadowedBy}</code> first. Remove that file or run it
              with <code>--config {result.path}</code>.
            </p>
          )}
        </div>
      );
    }
  }
}

export function ImportView({ status, importFile }: ReturnType<typeof useConfigImport>): ReactElement {
  const info = useHostInfo();
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
        (readable by you only) and the agent restarts with it.
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
      </div>
      <div aria-live="polite">
        <Outcome status={status} />
      </div>
    </section>
  );
}

import { type ReactElement, useState } from 'react';
import type { SupportBundleResult } from '../../shared/agent-api.js';
import type { DiagnoseReport, DiagnoseStatus, DiagnoseStep } from '../../shared/diagnose-report.js';
import { formatDiagnoseReport } from '../../shared/diagnose-report.js';
import { useAgentApi } from '../api-context.js';
import { CopyButton } from '../components/CopyButton.js';
import { formatBytes, formatDateTime } from '../format.js';
import { useHostInfo } from '../hooks/use-host-info.js';

/** Where the dashboard serves a bundle this process saved (relative to the page, which carries the token). */
function bundleDownloadUrl(fileName: string): string {
  return `api/support-bundle/${encodeURIComponent(fileName)}`;
}

/** Starts the browser's download of `url` (same origin, answered as an attachment). */
function startDownload(url: string, fileName: string): void {
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
}

const LABELS: Readonly<Record<DiagnoseStatus, string>> = {
  pass: 'Pass',
  fail: 'Fail',
  warn: 'Warning',
  skip: 'Skipped',
};

function StepItem({ step }: { readonly step: DiagnoseStep }): ReactElement {
  return (
    <li className={`diagnose-step diagnose-${step.status}`} data-testid="diagnose-step" data-status={step.status}>
      <div className="diagnose-head">
        <span className={`diagnose-mark diagnose-mark-${step.status}`}>{LABELS[step.status]}</span>
        <strong className="diagnose-title">{step.title}</strong>
      </div>
      <p className="diagnose-summary">{step.summary}</p>
      {step.details.length === 0 ? null : (
        <ul className="diagnose-details">
          {step.details.map((detail, index) => (
            // Details are lines of one step; their order is their identity.
            <li key={index}>{detail}</li>
          ))}
        </ul>
      )}
      {step.fix === null ? null : (
        <p className="diagnose-fix" data-testid="diagnose-fix">
          <span className="diagnose-fix-label">Fix: </span>
          {step.fix}
        </p>
      )}
    </li>
  );
}

function verdict(report: DiagnoseReport): string {
  const count = (status: DiagnoseStatus): number => report.steps.filter((step) => step.status === status).length;
  const failed = count('fail');
  const head = report.ok ? 'No problem found.' : `${failed} check${failed === 1 ? '' : 's'} failed.`;
  return `${head} ${count('pass')} passed, ${count('warn')} warnings, ${count('skip')} skipped.`;
}

function describeFailure(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}

/**
 * Where the bundle went, or why it did not: the path is the host's, on the machine running the
 * agent. In the dashboard the browser downloads it as well (the agent may run on another machine).
 */
function BundleOutcome({
  result,
  downloadable,
}: {
  readonly result: SupportBundleResult;
  readonly downloadable: boolean;
}): ReactElement {
  if (!result.ok) {
    return (
      <p className="alert alert-error" data-testid="support-bundle-error">
        {result.error}
      </p>
    );
  }
  return (
    <p role="status" className="alert alert-ok" data-testid="support-bundle-saved">
      Support bundle saved{result.shown ? ' and shown in the file manager' : ' on the machine running the agent'}:{' '}
      <code data-testid="support-bundle-path">{result.path}</code> ({formatBytes(result.bytes)}, diagnose report of{' '}
      {formatDateTime(result.reportFinishedAt)}). It holds no secret key or proxy password; attach it to your support
      request.
      {downloadable ? (
        <>
          {' '}
          Your browser downloads it too:{' '}
          <a href={bundleDownloadUrl(result.fileName)} download={result.fileName} data-testid="support-bundle-download">
            download {result.fileName} again
          </a>
          .
        </>
      ) : null}
    </p>
  );
}

export function DiagnoseView(): ReactElement {
  const api = useAgentApi();
  const [running, setRunning] = useState(false);
  const [report, setReport] = useState<DiagnoseReport | null>(null);
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const [bundle, setBundle] = useState<SupportBundleResult | null>(null);
  const dashboard = useHostInfo()?.transport === 'dashboard';

  const run = (): void => {
    setRunning(true);
    setError('');
    api.diagnose().then(
      (result) => {
        setReport(result);
        setRunning(false);
      },
      (failure: unknown) => {
        setError(describeFailure(failure));
        setRunning(false);
      },
    );
  };

  const saveBundle = (): void => {
    setSaving(true);
    setBundle(null);
    api.saveSupportBundle().then(
      (result) => {
        setBundle(result);
        setSaving(false);
        if (result.ok && dashboard) startDownload(bundleDownloadUrl(result.fileName), result.fileName);
      },
      (failure: unknown) => {
        setBundle({ ok: false, error: describeFailure(failure) });
        setSaving(false);
      },
    );
  };

  return (
    <section aria-labelledby="diagnose-heading" className="view">
      <h2 id="diagnose-heading">Diagnose</h2>
      <p className="hint">
        Checks, step by step, what the agent needs: its configuration, the gateway's name, a TCP connection, the proxy,
        TLS and the certificate, the gateway's answer to the agent's key, and the databases in allowed-addresses. Each
        failure says how to fix it.
      </p>
      <p className="toolbar">
        <button type="button" className="button primary" onClick={run} disabled={running}>
          {running ? 'Diagnosing…' : report === null ? 'Run diagnose' : 'Run again'}
        </button>
        <button type="button" className="button" onClick={saveBundle} disabled={saving}>
          {saving ? 'Saving…' : 'Save support bundle'}
        </button>
        {report === null ? null : <CopyButton text={formatDiagnoseReport(report)} label="Copy report" />}
      </p>
      <p className="hint">
        A support bundle is one .tar.gz with the diagnose report, the configuration without its secret key, the recent
        log and the versions, saved owner-only on the machine running the agent
        {dashboard ? ' and downloaded by your browser' : ''}.
      </p>
      {saving ? (
        <p role="status" className="toolbar-status">
          Saving the support bundle; it runs the checks first unless they ran in the last minutes.
        </p>
      ) : bundle === null ? null : (
        <BundleOutcome result={bundle} downloadable={dashboard} />
      )}
      <p role="status" className="toolbar-status" data-testid="diagnose-status">
        {running
          ? 'Running the checks; this can take a few seconds.'
          : report === null
            ? ''
            : `${verdict(report)} (${formatDateTime(report.finishedAt)})`}
      </p>
      {error === '' ? null : <p className="alert alert-error">{error}</p>}
      {report === null ? null : (
        <>
          <ol className="diagnose-steps" aria-label="Checks">
            {report.steps.map((step, index) => (
              <StepItem key={`${step.kind}-${index}`} step={step} />
            ))}
          </ol>
          {report.notes.map((note) => (
            <p key={note} className="hint">
              Note: {note}
            </p>
          ))}
        </>
      )}
    </section>
  );
}

import { type ReactElement, useState } from 'react';
import type { DiagnoseReport, DiagnoseStatus, DiagnoseStep } from '../../shared/diagnose-report.js';
import { formatDiagnoseReport } from '../../shared/diagnose-report.js';
import { useAgentApi } from '../api-context.js';
import { CopyButton } from '../components/CopyButton.js';
import { formatDateTime } from '../format.js';

const LABELS: Readonly<Record<DiagnoseStatus, string>> = { pass: 'Pass', fail: 'Fail', warn: 'Warning', skip: 'Skipped' };

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

export function DiagnoseView(): ReactElement {
  const api = useAgentApi();
  const [running, setRunning] = useState(false);
  const [report, setReport] = useState<DiagnoseReport | null>(null);
  const [error, setError] = useState('');

  const run = (): void => {
    setRunning(true);
    setError('');
    api.diagnose().then(
      (result) => {
        setReport(result);
        setRunning(false);
      },
      (failure: unknown) => {
        setError(failure instanceof Error ? failure.message : String(failure));
        setRunning(false);
      },
    );
  };

  return (
    <section aria-labelledby="diagnose-heading" className="view">
      <h2 id="diagnose-heading">Diagnose</h2>
      <p className="hint">
        Checks, step by step, what the agent needs: its configuration, the gateway's name, a TCP connection, the proxy, TLS and the certificate, the gateway's answer to the agent's key,
        and the databases in allowed-addresses. Each failure says how to fix it.
      </p>
      <p className="toolbar">
        <button type="button" className="button primary" onClick={run} disabled={running}>
          {running ? 'Diagnosing…' : report === null ? 'Run diagnose' : 'Run again'}
        </button>
        {report === null ? null : <CopyButton text={formatDiagnoseReport(report)} label="Copy report" />}
      </p>
      <p role="status" className="toolbar-status" data-testid="diagnose-status">
        {running ? 'Running the checks; this can take a few seconds.' : report === null ? '' : `${verdict(report)} (${formatDateTime(report.finishedAt)})`}
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

/**
 * "Why does my agent not connect?": the report `cluvio-agent diagnose` prints and the app's
 * Diagnose view shows. Each step says what was checked, whether it passed, what it found and,
 * when it failed, what to do. Isomorphic plain data (crosses IPC and HTTP as JSON); never holds
 * the secret key or proxy credentials.
 */

export type DiagnoseStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** Which check a step is; allowlist targets are `target` steps, one per entry. */
export type DiagnoseStepKind = 'config' | 'resolve' | 'tcp' | 'proxy' | 'tls' | 'handshake' | 'target';

export interface DiagnoseStep {
  readonly kind: DiagnoseStepKind;
  /** e.g. `Server name resolves`, `Reach db.internal (allowed-addresses)`. */
  readonly title: string;
  readonly status: DiagnoseStatus;
  /** One line: what was found. */
  readonly summary: string;
  /** Further facts (addresses tried, certificate subject/issuer/expiry, the trust anchor, …). */
  readonly details: readonly string[];
  /** What to do about a failure or warning, or null. */
  readonly fix: string | null;
  readonly millis: number;
}

export interface DiagnoseReport {
  readonly startedAt: number;
  readonly finishedAt: number;
  /** The agent's version (the app's or the CLI package's). */
  readonly version: string;
  /** True when no step failed. */
  readonly ok: boolean;
  readonly steps: readonly DiagnoseStep[];
  /** Things to know about the run itself (e.g. what the handshake step did to a running agent). */
  readonly notes: readonly string[];
}

const MARKS: Readonly<Record<DiagnoseStatus, string>> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

/** One step as the terminal shows it: `PASS  title: summary`, then indented details and the fix. */
export function formatDiagnoseStep(step: DiagnoseStep): string {
  const lines = [`${MARKS[step.status]}  ${step.title}: ${step.summary}`];
  for (const detail of step.details) lines.push(`      ${detail}`);
  if (step.fix !== null) lines.push(`      fix: ${step.fix}`);
  return lines.join('\n');
}

/** The lines after the steps: the verdict with counts, then the notes. */
export function formatDiagnoseSummary(report: DiagnoseReport): string {
  const count = (status: DiagnoseStatus): number => report.steps.filter((step) => step.status === status).length;
  const failed = count('fail');
  const verdict = report.ok ? 'no problem found' : `${failed} check${failed === 1 ? '' : 's'} failed`;
  const lines = [
    `${verdict} (${count('pass')} passed, ${count('warn')} warnings, ${failed} failed, ${count('skip')} skipped)`,
  ];
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** The whole report as plain text (the CLI's output, the support bundle's report.txt). */
export function formatDiagnoseReport(report: DiagnoseReport): string {
  return `${report.steps.map(formatDiagnoseStep).join('\n')}\n\n${formatDiagnoseSummary(report)}`;
}

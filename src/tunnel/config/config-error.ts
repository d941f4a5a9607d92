/**
 * Why a configuration cannot be used, as an Error: every problem of the file (`issues`), each as
 * the UI shows it (`problems`: file, key, value, what is wrong and a fix for the app) and as the
 * CLI prints it (`lines`: `<file>: <key>: <message>`, the first of which is `message`).
 */
import type { ConfigProblem } from '../../shared/agent-state.js';
import { loggableText } from '../log/index.js';
import { issueLine, type ConfigIssue } from './config-issue.js';
import type { ConfigCandidate } from './search-order.js';

export type ConfigErrorReason =
  /** No file at the given path / in any search location. */
  | 'not-found'
  /** The file exists but could not be read (permissions, not UTF-8). */
  | 'unreadable'
  /** Not valid TOML. */
  | 'syntax'
  /** Valid TOML, but a key is missing or has a bad value. */
  | 'invalid';

/** The one-line text for a problem: `<file>: <key>: <message>`, leaving out what is null (printable, as issueLine). */
export function formatConfigProblem(problem: ConfigProblem): string {
  return [problem.file, problem.key, problem.message]
    .filter((part) => part !== null)
    .map((part) => loggableText(part))
    .join(': ');
}

/**
 * An issue of `file` as the UI shows it: what is wrong in plain words, the value, the app's fix —
 * each printable (a key or value from the file, or the file's name, may hold control characters
 * or a bidi override that would reorder what the user reads).
 */
export function issueProblem(file: string | null, issue: ConfigIssue): ConfigProblem {
  const shown = (text: string | null): string | null => (text === null ? null : loggableText(text));
  return {
    file: shown(file),
    key: shown(issue.key),
    message: loggableText(issue.summary),
    value: shown(issue.value),
    fix: loggableText(issue.fix),
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The first problem, as the UI shows it. */
  readonly problem: ConfigProblem;
  readonly reason: ConfigErrorReason;
  /** For `not-found` after a search: every location tried, in order. */
  readonly searched: readonly ConfigCandidate[];
  /** Every problem of the file, in the reference's field order (empty for `not-found` and `unreadable`). */
  readonly issues: readonly ConfigIssue[];
  /** Keys the agent would ignore. */
  readonly warnings: readonly ConfigIssue[];

  constructor(
    problem: ConfigProblem,
    reason: ConfigErrorReason,
    searched: readonly ConfigCandidate[] = [],
    details: { readonly issues?: readonly ConfigIssue[]; readonly warnings?: readonly ConfigIssue[] } = {},
  ) {
    // A not-found message already names the file; repeating it in front would read badly.
    super(reason === 'not-found' ? problem.message : formatConfigProblem(problem));
    this.problem = problem;
    this.reason = reason;
    this.searched = searched;
    this.issues = details.issues ?? [];
    this.warnings = details.warnings ?? [];
  }

  /** Every problem of `file`; the message is the first one's CLI line. */
  static ofIssues(
    file: string | null,
    reason: 'syntax' | 'invalid',
    issues: readonly ConfigIssue[],
    warnings: readonly ConfigIssue[] = [],
  ): ConfigError {
    const [first] = issues;
    if (first === undefined) throw new RangeError('a ConfigError needs at least one issue');
    const error = new ConfigError(issueProblem(file, first), reason, [], { issues, warnings });
    error.message = issueLine(file, first);
    return error;
  }

  get file(): string | null {
    return this.problem.file;
  }

  get key(): string | null {
    return this.problem.key;
  }

  /** Every problem as the UI shows it. */
  get problems(): readonly ConfigProblem[] {
    return this.issues.length === 0 ? [this.problem] : this.issues.map((issue) => issueProblem(this.file, issue));
  }

  /** Every problem as the CLI prints it after `config: ` (the first is `message`). */
  get lines(): readonly string[] {
    return this.issues.length === 0 ? [this.message] : this.issues.map((issue) => issueLine(this.file, issue));
  }

  /** Keys the agent would ignore, as the CLI prints them after `config: warning: ` (a misspelt key may be the cause). */
  get warningLines(): readonly string[] {
    return this.warnings.map((warning) => issueLine(this.file, warning));
  }
}

/** The reference's text when the search finds nothing (`exit("config file not found")`). */
export const CONFIG_NOT_FOUND_MESSAGE = 'config file not found: see `cluvio-agent --help` for details';

/**
 * A configuration problem as an Error: the `ConfigProblem` the UI shows (file, key, message)
 * plus the text the CLI prints after `config: `, which names the file, the key and a fix.
 */
import type { ConfigProblem } from '../../shared/agent-state.js';
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

/** The one-line text for a problem: `<file>: <key>: <message>`, leaving out what is null. */
export function formatConfigProblem(problem: ConfigProblem): string {
  return [problem.file, problem.key, problem.message].filter((part) => part !== null).join(': ');
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problem: ConfigProblem;
  readonly reason: ConfigErrorReason;
  /** For `not-found` after a search: every location tried, in order. */
  readonly searched: readonly ConfigCandidate[];

  constructor(problem: ConfigProblem, reason: ConfigErrorReason, searched: readonly ConfigCandidate[] = []) {
    // A not-found message already names the file; repeating it in front would read badly.
    super(reason === 'not-found' ? problem.message : formatConfigProblem(problem));
    this.problem = problem;
    this.reason = reason;
    this.searched = searched;
  }

  get file(): string | null {
    return this.problem.file;
  }

  get key(): string | null {
    return this.problem.key;
  }
}

/** The reference's text when the search finds nothing (`exit("config file not found")`). */
export const CONFIG_NOT_FOUND_MESSAGE = 'config file not found: see `cluvio-agent --help` for details';

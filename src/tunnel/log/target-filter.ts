/**
 * Log filtering in tracing-subscriber 0.3 `EnvFilter` syntax, as far as the reference's users
 * write it for `--log`: comma-separated directives `level`, `target`, `target=level`
 * (`info`, `cluvio_agent=debug`, `cluvio_agent::stream=trace,warn`). Levels are `off`, `error`,
 * `warn`, `info`, `debug`, `trace` (any case) or `0`–`5`; a bare target enables every level for
 * it; `target=` means trace. For a record, the directive with the longest target that is a
 * string prefix of the record's module decides (a directive without target is the fallback);
 * none → not shown. No directives at all means `error`. The same target given twice: the last
 * wins. Unlike the reference, which prints `ignoring …` and drops a bad directive, a bad
 * directive is an error here; span and field filters (`[span]{field}`) are not supported.
 */
import { LOG_LEVELS, type LogLevel } from '../../shared/log-record.js';

/** A level threshold; `off` shows nothing. */
export type LevelFilter = LogLevel | 'off';

/** The reference's default filter. */
export const DEFAULT_LOG_FILTER = 'cluvio_agent=info';

export class LogFilterError extends Error {
  override readonly name = 'LogFilterError';
}

export interface LogDirective {
  readonly target: string | null;
  readonly level: LevelFilter;
}

/** 0 = off … 5 = trace, as tracing's LevelFilter orders verbosity. */
function verbosity(level: LevelFilter): number {
  return level === 'off' ? 0 : LOG_LEVELS.indexOf(level) + 1;
}

const LEVEL_NAMES: readonly LevelFilter[] = ['off', ...LOG_LEVELS];

const LEVEL_ERROR =
  'error parsing level filter: expected one of "off", "error", "warn", "info", "debug", "trace", or a number 0-5';

function parseLevel(text: string): LevelFilter | null {
  if (/^\+?[0-9]+$/.test(text)) {
    const number = Number(text);
    return number <= 5 ? (LEVEL_NAMES[number] ?? null) : null;
  }
  const lower = text.toLowerCase();
  return LEVEL_NAMES.find((name) => name === lower) ?? null;
}

/** The first character of a target must be alphanumeric or one of `-:_`, as in tracing-subscriber. */
const TARGET_START = /^[\p{L}\p{N}\-:_]/u;

function parseDirective(text: string): LogDirective {
  if (text.includes('[') || text.includes('{')) {
    throw new LogFilterError(
      `\`${text}\`: span and field filters ([span]{field}) are not supported; use target=level, e.g. cluvio_agent::stream=debug`,
    );
  }
  if (!TARGET_START.test(text))
    throw new LogFilterError(
      `\`${text}\`: invalid filter directive; expected level, target or target=level, e.g. cluvio_agent=debug`,
    );
  const equals = text.indexOf('=');
  if (equals === -1) {
    const level = parseLevel(text);
    return level === null ? { target: text, level: 'trace' } : { target: null, level };
  }
  const target = text.slice(0, equals);
  const levelText = text.slice(equals + 1);
  if (levelText === '') return { target, level: 'trace' };
  const level = parseLevel(levelText);
  if (level === null) throw new LogFilterError(`\`${text}\`: ${LEVEL_ERROR}`);
  return { target, level };
}

export class LogTargetFilter {
  /** Most specific first: longer targets before shorter ones, the target-less fallback last. */
  readonly directives: readonly LogDirective[];
  readonly #text: string;

  private constructor(directives: readonly LogDirective[], text: string) {
    this.directives = directives;
    this.#text = text;
  }

  /** Parses `--log` text; throws `LogFilterError` naming the bad directive. */
  static parse(text: string): LogTargetFilter {
    const byTarget = new Map<string | null, LogDirective>();
    for (const part of text.split(',')) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      const directive = parseDirective(trimmed);
      byTarget.delete(directive.target);
      byTarget.set(directive.target, directive);
    }
    if (byTarget.size === 0) byTarget.set(null, { target: null, level: 'error' });
    const ordered = [...byTarget.values()].sort((a, b) => (b.target?.length ?? -1) - (a.target?.length ?? -1));
    return new LogTargetFilter(ordered, text);
  }

  /** A filter that shows every record up to `level`, whatever its module. */
  static allAt(level: LevelFilter): LogTargetFilter {
    return new LogTargetFilter([{ target: null, level }], level);
  }

  /** The most verbose level shown for `module`. */
  maxLevel(module: string): LevelFilter {
    const directive = this.directives.find(
      (candidate) => candidate.target === null || module.startsWith(candidate.target),
    );
    return directive?.level ?? 'off';
  }

  enabled(level: LogLevel, module: string): boolean {
    return verbosity(level) <= verbosity(this.maxLevel(module));
  }

  toString(): string {
    return this.#text;
  }
}

/** True when a record at `level` passes a `threshold`. */
export function levelPasses(level: LogLevel, threshold: LevelFilter): boolean {
  return verbosity(level) <= verbosity(threshold);
}

/** The more verbose of two thresholds. */
export function moreVerbose(a: LevelFilter, b: LevelFilter): LevelFilter {
  return verbosity(a) >= verbosity(b) ? a : b;
}

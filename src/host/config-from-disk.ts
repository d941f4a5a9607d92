/**
 * How the host finds and reads the configuration when it starts, the way the CLI does: the
 * `--config` file, or the first regular file in the search order, read through the binding (the
 * engine's own loader). The outcome carries both what the UI shows (a problem with the file and
 * key, or none on a first run) and what the CLI prints (the reference agent's words).
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { ConfigProblem } from '../shared/agent-state.js';
import type { LogFieldValue, LogLevel } from '../shared/log-record.js';
import type { ConfigBinding, ConfigFailure } from './config-binding.js';

/** What the host found when it started: the file it runs on and the rule that found it, or why there is none. */
export type ConfigStart =
  | { readonly ok: true; readonly file: string; readonly rule: string }
  | { readonly ok: false; readonly failure: ConfigFailure };

/** Told what the host finds when it starts from disk (the CLI reports it on its terminal). */
export interface ConfigStartEvents<C> {
  /** A file was found (`file` as given or searched); it is read next. */
  readonly found: (file: string, rule: string) => void;
  /** Its configuration is valid; the engine starts on it next. */
  readonly loaded: (config: C, file: string) => void;
}

/** `--config` as given (the CLI's words name it so) and resolved (where the host reads and writes). */
export interface ExplicitConfigPath {
  readonly given: string;
  readonly file: string;
}

export type ConfigFromDisk<C> =
  | { readonly ok: true; readonly config: C; readonly file: string; readonly rule: string }
  | {
      readonly ok: false;
      readonly failure: ConfigFailure;
      /** What the UI shows: null when nothing was found by searching (the first run). */
      readonly problem: ConfigProblem | null;
    };

export async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The file to run on and its rule, or the failure (a search that found nothing, or no `--config` file). */
async function locate<C>(
  binding: ConfigBinding<C>,
  explicit: ExplicitConfigPath | null,
): Promise<{ readonly file: string; readonly rule: string } | { readonly failure: ConfigFailure }> {
  if (explicit !== null) {
    if (await isRegularFile(explicit.file)) return { file: explicit.given, rule: 'command line (--config)' };
    return { failure: binding.notFound(explicit.given, []) };
  }
  const searched = binding.searchPaths();
  for (const candidate of searched)
    if (await isRegularFile(candidate))
      return { file: candidate, rule: binding.searchRule(candidate) ?? 'search order' };
  return { failure: binding.notFound(null, searched) };
}

/**
 * Finds and reads the configuration. Logs through `log` what the host logs of it: where a search
 * looked in vain, why a file was rejected, and, unless `events` reports it instead, the file used.
 */
export async function readConfigFromDisk<C>(
  binding: ConfigBinding<C>,
  explicit: ExplicitConfigPath | null,
  events: ConfigStartEvents<C> | null,
  log: (level: LogLevel, message: string, fields: Record<string, LogFieldValue>) => void,
): Promise<ConfigFromDisk<C>> {
  const located = await locate(binding, explicit);
  if ('failure' in located) {
    if (explicit !== null) {
      const problem = {
        file: explicit.file,
        key: null,
        message: 'file not found (or not a regular file): check the --config path',
      };
      return { ok: false, failure: located.failure, problem };
    }
    // First run: nothing found is not a problem.
    log('info', 'no configuration file found', { searched: binding.searchPaths().join(', ') });
    return { ok: false, failure: located.failure, problem: null };
  }
  const { file, rule } = located;
  events?.found(file, rule);
  const read = await binding.read(file);
  if (!read.ok) {
    // Read as given, so the CLI's words name the file as its user did; the UI names it in full.
    const given = read.failure.problem;
    const problem = given.file === file ? { ...given, file: path.resolve(file) } : given;
    if (read.failure.reason !== 'unreadable')
      log('error', 'configuration rejected', { file: problem.file, key: problem.key, problem: problem.message });
    return { ok: false, failure: read.failure, problem };
  }
  if (events === null) log('info', 'configuration', { path: path.resolve(file) });
  else events.loaded(read.config, file);
  for (const warning of binding.warnings(read.config))
    log('warn', 'configuration key ignored', { file: path.resolve(file), key: warning.key, fix: warning.fix ?? null });
  return { ok: true, config: read.config, file, rule };
}

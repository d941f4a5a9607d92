/**
 * What the host needs from the tunnel's configuration module, as one injected object: read,
 * parse and validate, describe it publicly, name its secrets, and say where files are searched
 * for. `tunnel-config-binding.ts` binds it to the engine's real config loader, so the host reads
 * a file exactly as the CLI does.
 */
import type { ConfigProblem, PublicConfig } from '../shared/agent-state.js';

/** Checked text: the configuration and its warnings (keys the agent ignores), or every problem. */
export type ParsedConfig<C> =
  | { readonly ok: true; readonly config: C; readonly warnings: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[]; readonly warnings: readonly ConfigProblem[] };

/** Why there is no configuration to run on, in the words the CLI prints (the tunnel's `ConfigError` has this shape). */
export interface ConfigFailure {
  /** `not-found`, `unreadable`, `syntax` or `invalid`. */
  readonly reason: string;
  /** The reference agent's text: `<file>: <key>: <message>`, or the not-found sentence. */
  readonly message: string;
  readonly problem: ConfigProblem;
  /** Every problem of the file as the UI shows it (the first is `problem`). */
  readonly problems: readonly ConfigProblem[];
  /** Every problem as the CLI prints it after `config: ` (the first is `message`). */
  readonly lines: readonly string[];
  /** Keys the agent would ignore, as the CLI prints them after `config: warning: `. */
  readonly warningLines: readonly string[];
  /** After a search that found nothing: every place looked at, in order, with the rule that names it. */
  readonly searched: readonly { readonly path: string; readonly rule: string }[];
}

export type ReadConfig<C> =
  { readonly ok: true; readonly config: C } | { readonly ok: false; readonly failure: ConfigFailure };

export interface ConfigBinding<C> {
  /** Parses and validates TOML text; `file` names it in problems, all of them. Never throws for bad input. */
  parse(text: string, file: string): ParsedConfig<C>;
  /** Reads (UTF-8) and validates a file, as the CLI does. Never throws for a bad or unreadable file. */
  read(file: string): Promise<ReadConfig<C>>;
  /** The failure for no file at `explicitPath` (the CLI's `--config`), or, without one, none of `searched`. */
  notFound(explicitPath: string | null, searched: readonly string[]): ConfigFailure;
  /** Keys of a loaded configuration that the agent ignores, as warnings for the UI. */
  warnings(config: C): readonly ConfigProblem[];
  /** The part a UI may see: never the secret key. */
  toPublic(config: C, path: string): PublicConfig;
  /** Values to keep out of every log (the secret key). */
  secrets(config: C): readonly string[];
  /** Candidate files in the reference search order, first match wins. */
  searchPaths(): readonly string[];
  /** The rule of the search order that names `file` (e.g. `$XDG_CONFIG_HOME`), or null. */
  searchRule(file: string): string | null;
  /** The user's own location from that order: where an import is written. */
  userConfigPath(): string;
}

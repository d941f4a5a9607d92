/**
 * What the host needs from the tunnel's configuration module, as one injected object: parse and
 * validate text, describe it publicly, name its secrets, and say where files are searched for.
 * `tunnel-config-binding.ts` binds it to the engine's real config loader.
 */
import type { ConfigProblem, PublicConfig } from '../shared/agent-state.js';

export type ParsedConfig<C> =
  { readonly ok: true; readonly config: C } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface ConfigBinding<C> {
  /** Parses and validates TOML text; `file` names it in problems. Never throws for bad input. */
  parse(text: string, file: string): ParsedConfig<C>;
  /** The part a UI may see: never the secret key. */
  toPublic(config: C, path: string): PublicConfig;
  /** Values to keep out of every log (the secret key). */
  secrets(config: C): readonly string[];
  /** Candidate files in the reference search order, first match wins. */
  searchPaths(): readonly string[];
  /** The user's own location from that order: where an import is written. */
  userConfigPath(): string;
}

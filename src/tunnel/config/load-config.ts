/**
 * Finding and reading `cluvio-agent.toml`: an explicit `--config` path, or the first regular file
 * in the search order (search-order.ts). Regular file means what Rust's `Path::is_file` means:
 * symlinks are followed, directories are skipped.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseAgentConfig, type AgentConfig } from './agent-config.js';
import { CONFIG_NOT_FOUND_MESSAGE, ConfigError } from './config-error.js';
import type { Environment } from './env-overrides.js';
import { configSearchOrder, type ConfigCandidate, type ConfigSearchContext } from './search-order.js';

/** How the file was chosen: a search rule, or the command line. */
export type ConfigSource = ConfigCandidate['rule'] | 'command line (--config)';

export interface LocatedConfigFile {
  readonly path: string;
  readonly rule: ConfigSource;
}

export interface LoadConfigOptions extends ConfigSearchContext {
  /** `--config`: used as given (relative to the working directory), no search. */
  readonly explicitPath?: string | undefined;
}

export interface LoadedConfig {
  readonly config: AgentConfig;
  readonly file: string;
  readonly rule: ConfigSource;
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The reference's error when there is no file to read: none at `explicitPath`, or none of `searched`. */
export function configNotFound(explicitPath: string | undefined, searched: readonly ConfigCandidate[]): ConfigError {
  if (explicitPath !== undefined) {
    return new ConfigError(
      { file: explicitPath, key: null, message: `configuration file ${JSON.stringify(explicitPath)} not found` },
      'not-found',
    );
  }
  return new ConfigError({ file: null, key: null, message: CONFIG_NOT_FOUND_MESSAGE }, 'not-found', searched);
}

/** The file to read; throws ConfigError `not-found` with the reference's wording. */
export async function locateConfigFile(options: LoadConfigOptions): Promise<LocatedConfigFile> {
  if (options.explicitPath !== undefined) {
    const path = options.explicitPath;
    if (await isRegularFile(path)) return { path, rule: 'command line (--config)' };
    throw configNotFound(path, []);
  }
  const candidates = configSearchOrder(options);
  for (const candidate of candidates) {
    if (await isRegularFile(candidate.path)) return candidate;
  }
  throw configNotFound(undefined, candidates);
}

/** Reads and validates one file; throws ConfigError. */
export async function readConfigFile(path: string, env: Environment): Promise<AgentConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      { file: path, key: null, message: `cannot read the configuration file: ${reason}` },
      'unreadable',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(
      { file: path, key: null, message: 'the configuration file is not valid UTF-8 text; save it as UTF-8' },
      'unreadable',
    );
  }
  return parseAgentConfig(text, { file: path, env });
}

/** Locates and reads the configuration: the config, the file and the rule that found it. */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const located = await locateConfigFile(options);
  const config = await readConfigFile(located.path, options.env);
  return { config, file: located.path, rule: located.rule };
}

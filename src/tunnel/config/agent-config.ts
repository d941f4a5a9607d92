/**
 * `cluvio-agent.toml` → `AgentConfig` (PROTOCOL.md §8.1), accepting what the reference agent
 * accepts: unknown keys are ignored (but warned about), scalars where a string is expected are
 * read as their text, `port` may be a numeric string (config-fields.ts reads each key).
 *
 * `checkAgentConfig` reports every problem of a file at once, each with its key, its value and a
 * fix; `parseAgentConfig` throws them as one `ConfigError` whose message is the first problem in
 * the reference's field order and words (secret-key, connect-timeout, ping-frequency,
 * allowed-addresses, server), as the CLI prints it.
 */
import { parse as parseToml } from '@iarna/toml';
import type { PublicConfig } from '../../shared/agent-state.js';
import { keyPairOf, type SecretKey } from '../auth/index.js';
import type { Allowlist } from './allowlist.js';
import {
  IssueList,
  readAllowlist,
  readDuration,
  readSecretKey,
  readServer,
  type ServerConfig,
  type Table,
} from './config-fields.js';
import { ConfigError } from './config-error.js';
import type { ConfigIssue } from './config-issue.js';
import type { Environment, ServerEnvOverride } from './env-overrides.js';
import { unknownKeyWarnings } from './unknown-keys.js';

export { DEFAULT_PORT, type ServerConfig } from './config-fields.js';

export interface AgentConfig {
  /** The file it was read from (null when parsed from text without a file). */
  readonly path: string | null;
  /** Never printed: String(), JSON and inspect show a redaction marker. */
  readonly secretKey: SecretKey;
  readonly publicKey: Uint8Array;
  readonly agentId: string;
  readonly server: ServerConfig;
  readonly connectTimeoutMs: number;
  readonly pingFrequencyMs: number;
  readonly allowlist: Allowlist;
  /** `CLUVIO_AGENT_SERVER_*` variables that replaced file values. */
  readonly envOverrides: readonly ServerEnvOverride[];
  /** Keys the agent does not read (a misspelt key falls back to its default): warnings, never errors. */
  readonly warnings: readonly ConfigIssue[];
}

export interface ParseConfigOptions {
  /** Shown in error messages and kept as `path`. */
  readonly file: string | null;
  /** For `CLUVIO_AGENT_SERVER_HOST/PORT/TRUST`; pass `{}` to ignore the environment. */
  readonly env: Environment;
}

/** A file checked: its configuration, or every problem it has (a syntax error is the only one reported alone). */
export type ConfigCheck =
  | { readonly ok: true; readonly config: AgentConfig }
  | {
      readonly ok: false;
      readonly reason: 'syntax' | 'invalid';
      readonly issues: readonly ConfigIssue[];
      readonly warnings: readonly ConfigIssue[];
    };

export const DEFAULT_CONNECT_TIMEOUT = '30s';
export const DEFAULT_PING_FREQUENCY = '60s';

/** Parses TOML text; a syntax error becomes a ConfigError with line and column (1-based). */
export function parseConfigToml(text: string, file: string | null): Table {
  try {
    return parseToml(text);
  } catch (error) {
    const position = error as { line?: unknown; col?: unknown; message?: unknown };
    if (typeof position.line === 'number' && typeof position.col === 'number') {
      const reason = String(position.message).replace(/ at row \d+, col \d+, pos \d+:[\s\S]*$/, '');
      const line = position.line + 1;
      const summary = `TOML parse error at line ${line}, column ${position.col + 1}: ${reason}`;
      throw ConfigError.ofIssues(file, 'syntax', [
        {
          key: null,
          value: null,
          summary,
          message: summary,
          fix: `The file is not valid TOML (line ${line}): download the configuration from Cluvio again, or correct that line if you edited the file.`,
        },
      ]);
    }
    throw error;
  }
}

/** Checks a file (plus environment overrides): the configuration, or every problem at once. Never throws for bad input. */
export function checkAgentConfig(text: string, options: ParseConfigOptions): ConfigCheck {
  let root: Table;
  try {
    root = parseConfigToml(text, options.file);
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: 'syntax', issues: error.issues, warnings: [] };
    throw error;
  }
  const issues = new IssueList();
  const secretKey = readSecretKey(issues, root['secret-key']);
  const connectTimeoutMs = readDuration(issues, 'connect-timeout', root['connect-timeout'], DEFAULT_CONNECT_TIMEOUT);
  const pingFrequencyMs = readDuration(issues, 'ping-frequency', root['ping-frequency'], DEFAULT_PING_FREQUENCY);
  const allowlist = readAllowlist(issues, root['allowed-addresses']);
  const { server, overrides } = readServer(issues, root.server, options.env);
  const warnings = unknownKeyWarnings(root);
  if (
    secretKey === null ||
    connectTimeoutMs === null ||
    pingFrequencyMs === null ||
    allowlist === null ||
    server === null
  )
    return { ok: false, reason: 'invalid', issues: issues.issues, warnings };
  const { publicKey, agentId } = keyPairOf(secretKey);
  return {
    ok: true,
    config: {
      path: options.file,
      secretKey,
      publicKey,
      agentId,
      server,
      connectTimeoutMs,
      pingFrequencyMs,
      allowlist,
      envOverrides: overrides,
      warnings,
    },
  };
}

/** Validates a file (plus environment overrides) into an `AgentConfig`; throws `ConfigError` with every problem. */
export function parseAgentConfig(text: string, options: ParseConfigOptions): AgentConfig {
  const checked = checkAgentConfig(text, options);
  if (checked.ok) return checked.config;
  throw ConfigError.ofIssues(options.file, checked.reason, checked.issues, checked.warnings);
}

/** What a UI may see: everything but the secret key. */
export function toPublicConfig(config: AgentConfig): PublicConfig {
  return {
    path: config.path,
    agentId: config.agentId,
    server: { host: config.server.host, port: config.server.port },
    allowedAddresses: config.allowlist.texts(),
    connectTimeoutMs: config.connectTimeoutMs,
    pingFrequencyMs: config.pingFrequencyMs,
  };
}

/**
 * `cluvio-agent.toml` → `AgentConfig` (PROTOCOL.md §8.1), accepting what the reference agent
 * accepts: unknown keys are ignored, scalars where a string is expected are read as their text
 * (config-rs does the same, so `connect-timeout = 30` fails as a duration without unit, not as a
 * type), `port` may be a numeric string. Every refusal is a `ConfigError` naming the file, the
 * key and a valid example; messages keep the reference's leading words.
 */
import { parse as parseToml } from '@iarna/toml';
import type { PublicConfig } from '../../shared/agent-state.js';
import { KeyTextError, keyPairOf, SecretKey } from '../auth/index.js';
import { Allowlist, DEFAULT_ALLOWED_ADDRESSES, parseAllowlistEntry, type AllowlistEntry } from './allowlist.js';
import { ConfigError } from './config-error.js';
import { checkHostName } from './dns-name.js';
import { serverEnvOverrides, type Environment, type ServerEnvOverride } from './env-overrides.js';
import { durationToMs, HumantimeError, parseHumantimeDuration } from './humantime.js';
import { parseIpAddress } from './ip-address.js';
import { parseTrustPem, TrustPemError } from './pem-certificates.js';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Extra trust anchors, one normalized PEM string per certificate (empty: web PKI roots only). */
  readonly trust: readonly string[];
}

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
}

export interface ParseConfigOptions {
  /** Shown in error messages and kept as `path`. */
  readonly file: string | null;
  /** For `CLUVIO_AGENT_SERVER_HOST/PORT/TRUST`; pass `{}` to ignore the environment. */
  readonly env: Environment;
}

export const DEFAULT_CONNECT_TIMEOUT = '30s';
export const DEFAULT_PING_FREQUENCY = '60s';
export const DEFAULT_PORT = 443;

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** How serde / config-rs name a value's type in `invalid type:` messages. */
function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'sequence';
  if (value instanceof Date) return 'date-time';
  if (isTable(value)) return 'map';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'bigint') return `number ${value.toString()}`;
  return `${typeof value} ${String(value)}`;
}

class ConfigReader {
  readonly #file: string | null;

  constructor(file: string | null) {
    this.#file = file;
  }

  fail(key: string | null, message: string): ConfigError {
    return new ConfigError({ file: this.#file, key, message }, 'invalid');
  }

  /** A string value, or a scalar read as its text as config-rs does; tables, arrays and dates are refused. */
  text(key: string, value: unknown, expected: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    throw this.fail(key, `invalid type: ${typeName(value)}, expected ${expected}`);
  }
}

const SECRET_KEY_HINT = 'expected the 43-character secret-key printed by `cluvio-agent --gen-keypair`';
const DURATION_HINT = 'expected a number with a unit, e.g. "30s" or "1m 30s"';
const ALLOWLIST_EXAMPLE = '["10.0.0.0/8", "db.internal", "*.example.com"]';
const HOST_EXAMPLE = '"gateway.eu.cluvio.com"';
const TRUST_HINT =
  'expected PEM text with at least one "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block';

function readSecretKey(reader: ConfigReader, value: unknown): SecretKey {
  if (value === undefined) {
    throw reader.fail(
      'secret-key',
      'missing configuration field "secret-key": add secret-key = "…" with the key printed by `cluvio-agent --gen-keypair`',
    );
  }
  // The value itself is never quoted back: it is (nearly) a secret.
  const text = reader.text(
    'secret-key',
    value,
    'a string: the 43-character secret-key printed by `cluvio-agent --gen-keypair`',
  );
  try {
    return SecretKey.fromBase64url(text);
  } catch (error) {
    if (error instanceof KeyTextError) throw reader.fail('secret-key', `${error.message}; ${SECRET_KEY_HINT}`);
    throw error;
  }
}

function readDuration(reader: ConfigReader, key: string, value: unknown, fallback: string): number {
  const text =
    value === undefined ? fallback : reader.text(key, value, 'a duration string with a unit, e.g. "30s" or "1m 30s"');
  try {
    return durationToMs(parseHumantimeDuration(text));
  } catch (error) {
    if (error instanceof HumantimeError)
      throw reader.fail(key, `invalid duration ${JSON.stringify(text)}: ${error.message}; ${DURATION_HINT}`);
    throw error;
  }
}

function readAllowlist(reader: ConfigReader, value: unknown): Allowlist {
  if (value === undefined) return Allowlist.of(DEFAULT_ALLOWED_ADDRESSES);
  if (!Array.isArray(value))
    throw reader.fail(
      'allowed-addresses',
      `invalid type: ${typeName(value)}, expected an array of strings, e.g. ${ALLOWLIST_EXAMPLE}`,
    );
  if (value.length === 0) {
    throw reader.fail(
      'allowed-addresses',
      'empty vector: list at least one entry, e.g. ["0.0.0.0/0", "::/0", "*."] to allow everything',
    );
  }
  const entries: AllowlistEntry[] = value.map((item: unknown, index) => {
    const key = `allowed-addresses[${index}]`;
    const text = reader.text(key, item, `a string, e.g. ${ALLOWLIST_EXAMPLE}`);
    const entry = parseAllowlistEntry(text);
    if (entry !== null) return entry;
    const bareAddress = parseIpAddress(text, 'ipnet');
    const hint =
      bareAddress === null
        ? ''
        : ` (a single address needs a prefix length: "${text}/${bareAddress.family === 4 ? 32 : 128}")`;
    throw reader.fail(
      key,
      `network syntax error; neither IP address nor DNS name (pattern): ${JSON.stringify(text)}${hint}; expected an IP network in CIDR form ("10.0.0.0/8", "fd00::/8"), a DNS name ("db.internal") or a pattern ("*.example.com", or "*." for any name)`,
    );
  });
  return new Allowlist(entries);
}

/** Where a server value came from, for messages: the file or an environment variable. */
function sourceNote(override: ServerEnvOverride | undefined): string {
  return override === undefined ? '' : ` (set by environment variable ${override.variable})`;
}

function readHost(reader: ConfigReader, value: unknown, override: ServerEnvOverride | undefined): string {
  if (value === undefined)
    throw reader.fail(
      'server.host',
      `missing configuration field "server.host": add host = ${HOST_EXAMPLE} under [server]`,
    );
  const host = reader.text('server.host', value, `a DNS name, e.g. ${HOST_EXAMPLE}`);
  const problem = checkHostName(host);
  if (problem === 'ip-literal') {
    throw reader.fail(
      'server.host',
      `invalid hostname: not a DNS name: \`${host}\`${sourceNote(override)}; the gateway is named by DNS (TLS checks its certificate against the name), e.g. ${HOST_EXAMPLE}`,
    );
  }
  if (problem === 'invalid')
    throw reader.fail(
      'server.host',
      `invalid hostname: \`${host}\` is not a valid DNS name${sourceNote(override)}; expected e.g. ${HOST_EXAMPLE}`,
    );
  return host;
}

const MAX_PORT = 65_535;

function readPort(reader: ConfigReader, value: unknown, override: ServerEnvOverride | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  let port: number | null = null;
  if (typeof value === 'number' && Number.isInteger(value)) port = value;
  // Numeric strings are what environment variables carry; config-rs parses them as i64 (a leading + is fine).
  else if (typeof value === 'string' && /^\+?[0-9]+$/.test(value)) port = Number(value);
  if (port === null || port < 0 || port > MAX_PORT) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : typeName(value).replace(/^number /, '');
    throw reader.fail(
      'server.port',
      `invalid port ${shown}${sourceNote(override)}: expected an integer from 0 to ${MAX_PORT}, e.g. ${DEFAULT_PORT}`,
    );
  }
  return port;
}

function readTrust(reader: ConfigReader, value: unknown, override: ServerEnvOverride | undefined): string[] {
  if (value === undefined) return [];
  const text = reader.text(
    'server.trust',
    value,
    'a PEM string with at least one "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block',
  );
  try {
    return parseTrustPem(text);
  } catch (error) {
    if (error instanceof TrustPemError)
      throw reader.fail('server.trust', `${error.message}${sourceNote(override)}; ${TRUST_HINT}`);
    throw error;
  }
}

function readServer(
  reader: ConfigReader,
  value: unknown,
  env: Environment,
): { server: ServerConfig; overrides: ServerEnvOverride[] } {
  const overrides = serverEnvOverrides(env);
  if (value !== undefined && !isTable(value)) {
    throw reader.fail(
      'server',
      `invalid type: ${typeName(value)}, expected a [server] table with host = ${HOST_EXAMPLE}`,
    );
  }
  if (value === undefined && overrides.length === 0) {
    throw reader.fail(
      'server',
      `missing configuration field "server": add a [server] table with host = ${HOST_EXAMPLE}`,
    );
  }
  const table: Table = { ...(value ?? {}) };
  const byKey = new Map(overrides.map((override) => [override.key, override]));
  for (const override of overrides) table[override.key] = override.value;
  const server: ServerConfig = {
    host: readHost(reader, table.host, byKey.get('host')),
    port: readPort(reader, table.port, byKey.get('port')),
    trust: readTrust(reader, table.trust, byKey.get('trust')),
  };
  return { server, overrides };
}

/** Parses TOML text; a syntax error becomes a ConfigError with line and column (1-based). */
export function parseConfigToml(text: string, file: string | null): Table {
  try {
    return parseToml(text);
  } catch (error) {
    const position = error as { line?: unknown; col?: unknown; message?: unknown };
    if (typeof position.line === 'number' && typeof position.col === 'number') {
      const reason = String(position.message).replace(/ at row \d+, col \d+, pos \d+:[\s\S]*$/, '');
      throw new ConfigError(
        {
          file,
          key: null,
          message: `TOML parse error at line ${position.line + 1}, column ${position.col + 1}: ${reason}`,
        },
        'syntax',
      );
    }
    throw error;
  }
}

/** Validates a parsed file (plus environment overrides) into an `AgentConfig`; throws ConfigError. */
export function parseAgentConfig(text: string, options: ParseConfigOptions): AgentConfig {
  const reader = new ConfigReader(options.file);
  const root = parseConfigToml(text, options.file);
  const secretKey = readSecretKey(reader, root['secret-key']);
  const connectTimeoutMs = readDuration(reader, 'connect-timeout', root['connect-timeout'], DEFAULT_CONNECT_TIMEOUT);
  const pingFrequencyMs = readDuration(reader, 'ping-frequency', root['ping-frequency'], DEFAULT_PING_FREQUENCY);
  const allowlist = readAllowlist(reader, root['allowed-addresses']);
  const { server, overrides } = readServer(reader, root.server, options.env);
  const { publicKey, agentId } = keyPairOf(secretKey);
  return {
    path: options.file,
    secretKey,
    publicKey,
    agentId,
    server,
    connectTimeoutMs,
    pingFrequencyMs,
    allowlist,
    envOverrides: overrides,
  };
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

/**
 * Reading each key of cluvio-agent.toml (PROTOCOL.md §8.1) as the reference agent accepts it:
 * scalars where a string is expected are read as their text (config-rs does the same, so
 * `connect-timeout = 30` fails as a duration without unit, not as a type), `port` may be a
 * numeric string. A reader never stops at a problem: it records it and returns null, so a
 * file with five mistakes gets five issues at once. The CLI's text of each keeps the reference's
 * leading words (docs/reference-notes.md §2.3).
 */
import { KeyTextError, SecretKey } from '../auth/index.js';
import { Allowlist, DEFAULT_ALLOWED_ADDRESSES, parseAllowlistEntry, type AllowlistEntry } from './allowlist.js';
import { DOWNLOAD_AGAIN, shownSecret, shownValue, type ConfigIssue } from './config-issue.js';
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

export const DEFAULT_PORT = 443;

export type Table = Record<string, unknown>;

export const isTable = (value: unknown): value is Table =>
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

/** Issues listed one by one; a file with more (a hostile one: 1 MiB of bad entries) gets a count for the rest. */
export const MAX_LISTED_ISSUES = 50;

/** Where the issues of one file are collected, in the order the reference would meet them. */
export class IssueList {
  readonly #issues: ConfigIssue[] = [];
  #unlisted = 0;

  /** Records an issue; null is what the reader returns for the value it could not read. */
  add(key: string | null, value: string | null, summary: string, message: string, fix: string): null {
    if (this.#issues.length < MAX_LISTED_ISSUES) this.#issues.push({ key, value, summary, message, fix });
    else this.#unlisted += 1;
    return null;
  }

  /** Every issue, in order; beyond the listed ones, one that says how many more there are. */
  get issues(): readonly ConfigIssue[] {
    if (this.#unlisted === 0) return this.#issues;
    const summary = `${this.#unlisted} more problems not listed`;
    return [...this.#issues, { key: null, value: null, summary, message: summary, fix: DOWNLOAD_AGAIN }];
  }

  /** A string value, or a scalar read as its text as config-rs does; tables, arrays and dates are refused. */
  text(key: string, value: unknown, expected: string, example: string, fix: string, shown = shownValue): string | null {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    const summary = `invalid type: ${typeName(value)}, expected ${expected}`;
    return this.add(key, shown(value), summary, `${summary}${example}`, fix);
  }
}

/**
 * Where an operator gets this agent's key. Not "run --gen-keypair" alone: a fresh key is unknown
 * to the gateway, so following that advice for Cluvio's gateway locks the agent out.
 */
const KEY_SOURCE =
  "this agent's key from the cluvio-agent.toml Cluvio gave you; for a self-hosted gateway, the secret-key of a pair from `cluvio-agent --gen-keypair` whose public-key the gateway knows";
const KEY_FIX =
  "The key must be exactly the one Cluvio wrote for this agent: download this agent's configuration (cluvio-agent.toml) from Cluvio again and import it.";

export function readSecretKey(issues: IssueList, value: unknown): SecretKey | null {
  const key = 'secret-key';
  if (value === undefined) {
    const summary = 'missing configuration field "secret-key"';
    return issues.add(key, null, summary, `${summary}: add secret-key = "…", ${KEY_SOURCE}`, KEY_FIX);
  }
  // The value itself is never quoted back: it is (nearly) a secret.
  const text = issues.text(
    key,
    value,
    'a string',
    `: the 43-character secret-key, ${KEY_SOURCE}`,
    KEY_FIX,
    shownSecret,
  );
  if (text === null) return null;
  try {
    return SecretKey.fromBase64url(text);
  } catch (error) {
    if (!(error instanceof KeyTextError)) throw error;
    return issues.add(
      key,
      shownSecret(text),
      error.message,
      `${error.message}; expected the 43-character secret-key, ${KEY_SOURCE}`,
      KEY_FIX,
    );
  }
}

const DURATION_EXAMPLE = 'e.g. "30s" or "1m 30s"';

export function readDuration(issues: IssueList, key: string, value: unknown, fallback: string): number | null {
  const fix = `Write a number with a unit, ${DURATION_EXAMPLE}, or remove the line to use the default (${fallback}).`;
  const text =
    value === undefined
      ? fallback
      : issues.text(key, value, 'a duration string with a unit', `, ${DURATION_EXAMPLE}`, fix);
  if (text === null) return null;
  try {
    return durationToMs(parseHumantimeDuration(text));
  } catch (error) {
    if (!(error instanceof HumantimeError)) throw error;
    const summary = `invalid duration ${JSON.stringify(text)}: ${error.message}`;
    return issues.add(
      key,
      shownValue(text),
      summary,
      `${summary}; expected a number with a unit, ${DURATION_EXAMPLE}`,
      fix,
    );
  }
}

const ALLOWLIST_EXAMPLE = '["10.0.0.0/8", "db.internal", "*.example.com"]';
const ENTRY_FIX =
  'Write an IP network ("10.0.0.0/8"; one address as "10.1.2.3/32"), a DNS name ("db.internal") or a pattern ("*.example.com"), or remove the entry.';

export function readAllowlist(issues: IssueList, value: unknown): Allowlist | null {
  const key = 'allowed-addresses';
  if (value === undefined) return Allowlist.of(DEFAULT_ALLOWED_ADDRESSES);
  if (!Array.isArray(value)) {
    const summary = `invalid type: ${typeName(value)}, expected an array of strings`;
    return issues.add(
      key,
      shownValue(value),
      summary,
      `${summary}, e.g. ${ALLOWLIST_EXAMPLE}`,
      `Write a list in brackets, e.g. allowed-addresses = ${ALLOWLIST_EXAMPLE}.`,
    );
  }
  if (value.length === 0) {
    return issues.add(
      key,
      '[]',
      'empty vector: the list allows no address',
      'empty vector: list at least one entry, e.g. ["0.0.0.0/0", "::/0", "*."] to allow everything',
      'List the databases the agent may reach, e.g. ["10.0.0.5/32", "db.internal"], or remove the line to allow every address.',
    );
  }
  const entries: AllowlistEntry[] = [];
  value.forEach((item: unknown, index) => {
    const entryKey = `${key}[${index}]`;
    const text = issues.text(entryKey, item, 'a string', `, e.g. ${ALLOWLIST_EXAMPLE}`, ENTRY_FIX);
    if (text === null) return;
    const entry = parseAllowlistEntry(text);
    if (entry !== null) {
      entries.push(entry);
      return;
    }
    const bareAddress = parseIpAddress(text, 'ipnet');
    const withPrefix = bareAddress === null ? null : `${text}/${bareAddress.family === 4 ? 32 : 128}`;
    const hint = withPrefix === null ? '' : ` (a single address needs a prefix length: "${withPrefix}")`;
    const summary = 'network syntax error; neither IP address nor DNS name (pattern)';
    issues.add(
      entryKey,
      shownValue(text),
      withPrefix === null ? summary : `${summary}: a single address needs a prefix length`,
      `${summary}: ${JSON.stringify(text)}${hint}; expected an IP network in CIDR form ("10.0.0.0/8", "fd00::/8"), a DNS name ("db.internal") or a pattern ("*.example.com", or "*." for any name)`,
      withPrefix === null ? ENTRY_FIX : `Write it as "${withPrefix}".`,
    );
  });
  return entries.length === value.length ? new Allowlist(entries) : null;
}

/** Where a server value came from, for messages: the file or an environment variable. */
function sourceNote(override: ServerEnvOverride | undefined): string {
  return override === undefined ? '' : ` (set by environment variable ${override.variable})`;
}

/** The fix for a server value: the environment variable that set it, or the file from Cluvio. */
function serverFix(override: ServerEnvOverride | undefined): string {
  return override === undefined
    ? DOWNLOAD_AGAIN
    : `The value comes from the environment variable ${override.variable}: correct it or unset it.`;
}

const HOST_EXAMPLE = '"gateway.eu.cluvio.com"';

function readHost(issues: IssueList, value: unknown, override: ServerEnvOverride | undefined): string | null {
  const key = 'server.host';
  const fix = serverFix(override);
  if (value === undefined) {
    const summary = 'missing configuration field "server.host"';
    return issues.add(key, null, summary, `${summary}: add host = ${HOST_EXAMPLE} under [server]`, fix);
  }
  const host = issues.text(key, value, 'a DNS name', `, e.g. ${HOST_EXAMPLE}`, fix);
  if (host === null) return null;
  const problem = checkHostName(host);
  if (problem === 'ip-literal') {
    return issues.add(
      key,
      shownValue(host),
      `invalid hostname: an IP address, not a DNS name${sourceNote(override)}`,
      `invalid hostname: not a DNS name: \`${host}\`${sourceNote(override)}; the gateway is named by DNS (TLS checks its certificate against the name), e.g. ${HOST_EXAMPLE}`,
      fix,
    );
  }
  if (problem === 'invalid') {
    return issues.add(
      key,
      shownValue(host),
      `invalid hostname: not a valid DNS name${sourceNote(override)}`,
      `invalid hostname: \`${host}\` is not a valid DNS name${sourceNote(override)}; expected e.g. ${HOST_EXAMPLE}`,
      fix,
    );
  }
  return host;
}

const MAX_PORT = 65_535;

function readPort(issues: IssueList, value: unknown, override: ServerEnvOverride | undefined): number | null {
  if (value === undefined) return DEFAULT_PORT;
  let port: number | null = null;
  if (typeof value === 'number' && Number.isInteger(value)) port = value;
  // Numeric strings are what environment variables carry; config-rs parses them as i64 (a leading + is fine).
  else if (typeof value === 'string' && /^\+?[0-9]+$/.test(value)) port = Number(value);
  if (port !== null && port >= 0 && port <= MAX_PORT) return port;
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeName(value).replace(/^number /, '');
  const summary = `invalid port ${shown}${sourceNote(override)}`;
  return issues.add(
    'server.port',
    shownValue(value),
    summary,
    `${summary}: expected an integer from 0 to ${MAX_PORT}, e.g. ${DEFAULT_PORT}`,
    serverFix(override),
  );
}

const TRUST_BLOCK = 'at least one "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block';

function readTrust(issues: IssueList, value: unknown, override: ServerEnvOverride | undefined): string[] | null {
  if (value === undefined) return [];
  const fix = serverFix(override);
  const text = issues.text('server.trust', value, 'a PEM string', ` with ${TRUST_BLOCK}`, fix);
  if (text === null) return null;
  try {
    return parseTrustPem(text);
  } catch (error) {
    if (!(error instanceof TrustPemError)) throw error;
    const summary = `${error.message}${sourceNote(override)}`;
    return issues.add(
      'server.trust',
      shownValue(text),
      summary,
      `${summary}; expected PEM text with ${TRUST_BLOCK}`,
      fix,
    );
  }
}

export function readServer(
  issues: IssueList,
  value: unknown,
  env: Environment,
): { server: ServerConfig | null; overrides: ServerEnvOverride[] } {
  const overrides = serverEnvOverrides(env);
  if (value !== undefined && !isTable(value)) {
    const summary = `invalid type: ${typeName(value)}, expected a [server] table`;
    issues.add('server', shownValue(value), summary, `${summary} with host = ${HOST_EXAMPLE}`, DOWNLOAD_AGAIN);
    return { server: null, overrides };
  }
  if (value === undefined && overrides.length === 0) {
    const summary = 'missing configuration field "server"';
    issues.add('server', null, summary, `${summary}: add a [server] table with host = ${HOST_EXAMPLE}`, DOWNLOAD_AGAIN);
    return { server: null, overrides };
  }
  const table: Table = { ...(value ?? {}) };
  const byKey = new Map(overrides.map((override) => [override.key, override]));
  for (const override of overrides) table[override.key] = override.value;
  const host = readHost(issues, table.host, byKey.get('host'));
  const port = readPort(issues, table.port, byKey.get('port'));
  const trust = readTrust(issues, table.trust, byKey.get('trust'));
  return {
    server: host === null || port === null || trust === null ? null : { host, port, trust },
    overrides,
  };
}

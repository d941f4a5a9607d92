/**
 * The support bundle: one `.tar.gz` to attach to a support request, with
 *
 *   report.txt, report.json   the diagnose report
 *   cluvio-agent.toml         the configuration: the parsed public configuration (what the agent
 *                             runs on, without its secret key, comments or unknown keys); when the
 *                             file does not parse, its text with every secret-key value and every
 *                             key-length base64 run replaced (config-text-redaction.ts)
 *   logs.txt                  recent log records: the diagnose run's (`cluvio-agent diagnose`), or the
 *                             host's log buffer, the one the Logs view shows (the app and the dashboard)
 *   system.json               versions (agent, protocol, Node, OpenSSL, Electron in the app), OS, proxy variables
 *
 * Two writers: `cluvio-agent diagnose --bundle FILE` (`writeSupportBundle`, to the file given,
 * replaced atomically: a symlink or an existing file there is replaced, never written into), and
 * "Save support bundle" in the Diagnose view of the app and the dashboard (`AgentHost.saveSupportBundle`
 * → `saveSupportBundleIn`), which creates a new `cluvio-agent-support-<UTC timestamp>.tar.gz` in
 * the host's folder for them (the app's log folder) on the machine running the agent; the UI
 * never names the path. Both are owner-only from their first byte (owner-only-file.ts).
 *
 * Secrets never enter it: the secret key, proxy user names and passwords (as written, decoded,
 * percent-encoded, Base64) and any URL user information are removed from every file's text
 * before it is archived, on top of the redaction the log pipeline already applies; a proxy
 * variable that is not a URL is not shown at all.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PublicConfig } from '../shared/agent-state.js';
import type { DiagnoseReport } from '../shared/diagnose-report.js';
import { formatDiagnoseReport } from '../shared/diagnose-report.js';
import { formatLogLine } from '../shared/log-line.js';
import type { LogRecord } from '../shared/log-record.js';
import {
  AGENT_VERSION_TEXT,
  proxyCredentialSpellings,
  redactProxyUrl,
  type ProxySettings,
} from '../tunnel/agent/index.js';
import type { AgentConfig, Environment } from '../tunnel/config/index.js';
import { backupTimestamp } from './config-import-writer.js';
import { redactUnparsedConfig } from './config-text-redaction.js';
import { createOwnerOnlyFile, OWNER_ONLY_DIR_MODE, replaceOwnerOnlyFile } from './owner-only-file.js';
import { tarGz } from './tar-writer.js';

export const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for (they would redact ordinary words). */
const MIN_SECRET_LENGTH = 4;

/** A configuration text longer than this is not included (a real one is a few KiB). */
export const MAX_BUNDLED_CONFIG_CHARS = 1024 * 1024;

const PROXY_URL_VARIABLES = [
  'https_proxy',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
  'http_proxy',
  'HTTP_PROXY',
] as const;
const NO_PROXY_VARIABLES = ['no_proxy', 'NO_PROXY'] as const;

export interface SupportBundleInput {
  readonly report: DiagnoseReport;
  /** The configuration the agent runs on, parsed; when present, this is what the bundle holds. */
  readonly publicConfig?: PublicConfig | null;
  /** The configuration file's text as read (used only when there is no parsed configuration), or null. */
  readonly configText: string | null;
  readonly logs: readonly LogRecord[];
  /** Every value that must not appear (see `bundleSecrets`); the proxy variables' credentials are added. */
  readonly secrets: readonly string[];
  readonly env: Environment;
  /** Extra versions to record, e.g. `{ electron: process.versions.electron }`. */
  readonly versions?: Readonly<Record<string, string>>;
}

/**
 * What a bundle must never contain: the secret key, and the proxy's credentials in every form —
 * of the proxy in use, and of any proxy setting given as text (`--proxy`, even one that did not parse).
 */
export function bundleSecrets(
  config: AgentConfig | null,
  proxy: ProxySettings | null,
  proxyTexts: readonly string[] = [],
): string[] {
  const secrets: string[] = [];
  if (config !== null) secrets.push(config.secretKey.exportBase64url());
  if (proxy?.authorization !== null && proxy?.authorization !== undefined) {
    const encoded = proxy.authorization.replace(/^Basic /, '');
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [user, password] = colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    secrets.push(encoded, decoded, user, password, encodeURIComponent(user), encodeURIComponent(password));
  }
  for (const text of proxyTexts) secrets.push(...proxyCredentialSpellings(text));
  return secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/** Removes every secret and any URL user information (up to the last `@` of its word) from `text`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  // Longest first, so that a secret containing another is removed whole.
  const ordered = [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  let out = ordered.reduce((current, secret) => current.split(secret).join(REDACTED), text);
  out = out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)\S*@/gi, `$1${REDACTED}@`);
  return out;
}

/** `30s`, `1500ms`: how a duration is written in the configuration file. */
function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The parsed public configuration, written as a cluvio-agent.toml a support engineer can read and run. */
export function publicConfigText(config: PublicConfig): string {
  const string = (value: string): string => JSON.stringify(value);
  return [
    `# The configuration the agent runs on, as parsed from ${config.path ?? 'its file'}:`,
    '# its secret key, comments and unknown keys are left out; [server] trust is not shown.',
    `# agent ID (the public half of the key): ${config.agentId}`,
    `secret-key = "${REDACTED}"`,
    `allowed-addresses = [${config.allowedAddresses.map(string).join(', ')}]`,
    `connect-timeout = ${string(durationText(config.connectTimeoutMs))}`,
    `ping-frequency = ${string(durationText(config.pingFrequencyMs))}`,
    '',
    '[server]',
    `host = ${string(config.server.host)}`,
    `port = ${config.server.port}`,
    '',
  ].join('\n');
}

/** The bundle's `cluvio-agent.toml`, or null when there is no configuration to show. */
function bundledConfig(input: SupportBundleInput): string | null {
  if (input.publicConfig !== undefined && input.publicConfig !== null) return publicConfigText(input.publicConfig);
  if (input.configText === null) return null;
  if (input.configText.length > MAX_BUNDLED_CONFIG_CHARS)
    return `# The configuration file did not parse and is ${input.configText.length} characters long: not included.\n`;
  return `# The configuration file did not parse: its text, with every secret-key value and every\n# key-length base64 run replaced by [redacted].\n${redactUnparsedConfig(input.configText)}`;
}

const NOT_SHOWN = '[not shown]';

/** no_proxy entries as they may be shown: host names, addresses and patterns; anything else is not. */
function redactNoProxy(value: string): string {
  return value
    .split(',')
    .map((entry) => (/^\s*[A-Za-z0-9.*:_[\]/%-]*\s*$/.test(entry) ? entry : NOT_SHOWN))
    .join(',');
}

function systemFacts(input: SupportBundleInput): string {
  const proxyVariables: Record<string, string> = {};
  for (const name of PROXY_URL_VARIABLES) {
    const value = input.env[name];
    if (value !== undefined) proxyVariables[name] = redactProxyUrl(value);
  }
  for (const name of NO_PROXY_VARIABLES) {
    const value = input.env[name];
    if (value !== undefined) proxyVariables[name] = redactNoProxy(value);
  }
  const facts = {
    versions: {
      agent: input.report.version,
      protocol: AGENT_VERSION_TEXT,
      node: process.versions.node,
      openssl: process.versions.openssl,
      ...input.versions,
    },
    os: {
      platform: process.platform,
      type: os.type(),
      release: os.release(),
      arch: process.arch,
      cpus: os.cpus().length,
      memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    },
    proxyVariables,
    createdAt: new Date(input.report.finishedAt).toISOString(),
  };
  return `${JSON.stringify(facts, null, 2)}\n`;
}

/** The bundle's bytes (a .tar.gz). */
export function buildSupportBundle(input: SupportBundleInput): Buffer {
  const secrets = [
    ...input.secrets,
    ...bundleSecrets(
      null,
      null,
      PROXY_URL_VARIABLES.map((name) => input.env[name] ?? ''),
    ),
  ];
  const scrub = (text: string): string => scrubText(text, secrets);
  const config = bundledConfig(input);
  const entries = [
    { name: 'report.txt', content: scrub(formatDiagnoseReport(input.report)) },
    { name: 'report.json', content: scrub(`${JSON.stringify(input.report, null, 2)}\n`) },
    ...(config === null ? [] : [{ name: 'cluvio-agent.toml', content: scrub(config) }]),
    { name: 'logs.txt', content: scrub(input.logs.map((record) => `${formatLogLine(record)}\n`).join('')) },
    { name: 'system.json', content: scrub(systemFacts(input)) },
  ];
  return tarGz(
    entries.map((entry) => ({ name: `cluvio-agent-support/${entry.name}`, content: entry.content })),
    input.report.finishedAt,
  );
}

/**
 * Writes the bundle to `file`, readable by its owner only: a new file renamed over `file`, so a
 * symlink or an existing (perhaps world-readable) file there is replaced, never written into.
 */
export async function writeSupportBundle(file: string, input: SupportBundleInput): Promise<void> {
  await replaceOwnerOnlyFile(file, buildSupportBundle(input));
}

/** `cluvio-agent-support-2030-01-01T12-00-00-000Z.tar.gz`: UTC, sortable, valid on every platform. */
export function supportBundleFileName(at: Date): string {
  return `cluvio-agent-support-${backupTimestamp(at)}.tar.gz`;
}

export interface SavedSupportBundle {
  readonly path: string;
  readonly fileName: string;
  readonly bytes: number;
}

/**
 * Writes the bundle as a new file named for `at` in `dir` (created owner-only if missing),
 * readable by its owner only; never replaces an existing file or follows a link.
 */
export async function saveSupportBundleIn(
  dir: string,
  input: SupportBundleInput,
  at: Date,
): Promise<SavedSupportBundle> {
  const bytes = buildSupportBundle(input);
  await mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR_MODE });
  const fileName = supportBundleFileName(at);
  const file = path.resolve(dir, fileName);
  await createOwnerOnlyFile(file, bytes);
  return { path: file, fileName, bytes: bytes.length };
}

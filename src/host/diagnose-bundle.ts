/**
 * The support bundle: one `.tar.gz` to attach to a support request, with
 *
 *   report.txt, report.json   the diagnose report
 *   cluvio-agent.toml         the configuration file as read, its secret-key replaced by "[redacted]"
 *   logs.txt                  recent log records: the diagnose run's (`cluvio-agent diagnose`), or the
 *                             host's log buffer, the one the Logs view shows (the app and the dashboard)
 *   system.json               versions (agent, protocol, Node, OpenSSL, Electron in the app), OS, proxy variables
 *
 * Two writers: `cluvio-agent diagnose --bundle FILE` (`writeSupportBundle`, to the file given), and
 * "Save support bundle" in the Diagnose view of the app and the dashboard (`AgentHost.saveSupportBundle`
 * → `saveSupportBundleIn`), which writes a new `cluvio-agent-support-<UTC timestamp>.tar.gz` into
 * the host's folder for them (the app's log folder) on the machine running the agent; the UI
 * never names the path.
 *
 * Secrets never enter it: the secret key, proxy user names and passwords (decoded and encoded)
 * and any URL user information are removed from every file's text before it is archived, on
 * top of the redaction the log pipeline already applies. Written owner-only.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DiagnoseReport } from '../shared/diagnose-report.js';
import { formatDiagnoseReport } from '../shared/diagnose-report.js';
import { formatLogLine } from '../shared/log-line.js';
import type { LogRecord } from '../shared/log-record.js';
import { AGENT_VERSION_TEXT, redactProxyUrl, type ProxySettings } from '../tunnel/agent/index.js';
import type { AgentConfig, Environment } from '../tunnel/config/index.js';
import { backupTimestamp, writeOwnerOnly } from './config-import-writer.js';
import { tarGz } from './tar-writer.js';

export const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for (they would redact ordinary words). */
const MIN_SECRET_LENGTH = 4;

const PROXY_VARIABLES = [
  'https_proxy',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
  'http_proxy',
  'HTTP_PROXY',
  'no_proxy',
  'NO_PROXY',
] as const;

export interface SupportBundleInput {
  readonly report: DiagnoseReport;
  /** The configuration file's text as read, or null when there was none. */
  readonly configText: string | null;
  readonly logs: readonly LogRecord[];
  /** Every value that must not appear (see `bundleSecrets`). */
  readonly secrets: readonly string[];
  readonly env: Environment;
  /** Extra versions to record, e.g. `{ electron: process.versions.electron }`. */
  readonly versions?: Readonly<Record<string, string>>;
}

/** What a bundle must never contain: the secret key, and the proxy's credentials in every form. */
export function bundleSecrets(config: AgentConfig | null, proxy: ProxySettings | null): string[] {
  const secrets: string[] = [];
  if (config !== null) secrets.push(config.secretKey.exportBase64url());
  if (proxy?.authorization !== null && proxy?.authorization !== undefined) {
    const encoded = proxy.authorization.replace(/^Basic /, '');
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [user, password] = colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    secrets.push(encoded, decoded, user, password, encodeURIComponent(user), encodeURIComponent(password));
  }
  return secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/** Removes every secret and any URL user information from `text`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  // Longest first, so that a secret containing another is removed whole.
  const ordered = [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  let out = ordered.reduce((current, secret) => current.split(secret).join(REDACTED), text);
  out = out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi, `$1${REDACTED}@`);
  return out;
}

/** The configuration text with the secret-key's value replaced, whatever its quoting. */
export function redactConfigText(text: string, secrets: readonly string[]): string {
  const keyed = text.replace(/^(\s*["']?secret-key["']?\s*=\s*).*$/gm, `$1"${REDACTED}"`);
  return scrubText(keyed, secrets);
}

function systemFacts(input: SupportBundleInput): string {
  const proxyVariables = Object.fromEntries(
    PROXY_VARIABLES.filter((name) => input.env[name] !== undefined).map((name) => [
      name,
      redactProxyUrl(input.env[name] ?? ''),
    ]),
  );
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
  const scrub = (text: string): string => scrubText(text, input.secrets);
  const entries = [
    { name: 'report.txt', content: scrub(formatDiagnoseReport(input.report)) },
    { name: 'report.json', content: scrub(`${JSON.stringify(input.report, null, 2)}\n`) },
    ...(input.configText === null
      ? []
      : [{ name: 'cluvio-agent.toml', content: redactConfigText(input.configText, input.secrets) }]),
    { name: 'logs.txt', content: scrub(input.logs.map((record) => `${formatLogLine(record)}\n`).join('')) },
    { name: 'system.json', content: scrub(systemFacts(input)) },
  ];
  return tarGz(
    entries.map((entry) => ({ name: `cluvio-agent-support/${entry.name}`, content: entry.content })),
    input.report.finishedAt,
  );
}

/** Writes the bundle to `file`, readable by its owner only. */
export async function writeSupportBundle(file: string, input: SupportBundleInput): Promise<void> {
  await writeFile(file, buildSupportBundle(input), { mode: 0o600 });
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
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fileName = supportBundleFileName(at);
  const file = path.resolve(dir, fileName);
  await writeOwnerOnly(file, bytes);
  return { path: file, fileName, bytes: bytes.length };
}

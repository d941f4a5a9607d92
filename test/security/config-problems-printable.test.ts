/**
 * Review (log text): a configuration file is text from outside more often than it seems — the
 * file Cluvio's page offered, one a colleague sent, one opened from Downloads with the app. Its
 * quoted keys and string values may hold any character (`"\u001b]0;x\u0007" = 1`), and the
 * problems found in it are shown: the CLI's `config:` lines on a terminal, the app's and the
 * dashboard's problem list, the log.
 *
 * Before: the CLI's `config: warning:` lines (new with issue 18) and its error lines wrote such a
 * key or value raw — an ESC sequence cleared the screen or retitled the terminal, a newline forged
 * a line of its own, a bidi override reordered what the operator read; the app's problem list got
 * the same text. Now every problem's file, key, value and words pass through `loggableText` where
 * they become text (config-issue.ts, config-error.ts), as log records do.
 *
 * The reference agent 1.3.0 writes its first error raw too (`invalid hostname: \`local<ESC>[31mhost\``);
 * it has no warnings.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import { unconfiguredHost } from '../unit/host/support/unconfigured-host.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(REPO, 'dist', 'src', 'cli', 'agent.js');

/** Characters that must never reach a terminal or a problem list raw from a file. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

const KEY = generateKeyPair().secretKey.exportBase64url();
const HOSTILE = [
  String.raw`"clear\u001b[2J\u001b[31mred" = 1`,
  String.raw`"title\u001b]0;owned\u0007" = 2`,
  String.raw`"line\n2026-01-01T00:00:00.000000Z  INFO cluvio_agent: forged" = 3`,
  String.raw`"bidi\u202egnirts" = 4`,
];

function file(parts: readonly string[]): string {
  return [...parts, '[server]', 'port = 443', ''].join('\n');
}

/** Invalid: a host with an ESC and a newline; a network with a bidi override; plus the hostile keys. */
const INVALID = file([
  `secret-key = "${KEY}"`,
  String.raw`allowed-addresses = ["10.0.0.0/8\u202e", "db\u0000.corp"]`,
  ...HOSTILE,
  '[server.extra]',
  String.raw`"x\u001b[1A" = 5`,
]).replace('port = 443', String.raw`host = "gw\u001b[31m.example\nFAKE"` + '\nport = 443');

/** Valid, with the hostile keys only (warnings). */
const VALID_WITH_WARNINGS = file([`secret-key = "${KEY}"`, ...HOSTILE]).replace(
  'port = 443',
  'host = "localhost"\nport = 1',
);

let work = '';
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cluvio-config-printable-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function runCli(args: readonly string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('problems of a hostile configuration file', () => {
  it('the CLI: every config: line is one printable line, escaped, for errors and warnings alike', async () => {
    const invalid = path.join(work, 'invalid.toml');
    await writeFile(invalid, INVALID, { mode: 0o600 });
    const { code, stderr } = await runCli(['-c', invalid]);
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((line) => line !== '');
    // 3 errors (host, two networks) and 5 warnings, one line each — nothing forged, nothing raw.
    expect(lines.filter((line) => line.startsWith('config: warning: '))).toHaveLength(5);
    for (const line of lines) {
      expect(line).toMatch(/^config: /);
      expect(line).not.toMatch(UNPRINTABLE);
    }
    expect(stderr).toContain(String.raw`clear\u{1b}[2J`);
    expect(stderr).toContain(String.raw`gw\u{1b}[31m.example\nFAKE`);
    expect(stderr).not.toContain(KEY);
  });

  it('the CLI on a valid file: the warnings are log records, escaped as every record is', async () => {
    const valid = path.join(work, 'valid.toml');
    await writeFile(valid, VALID_WITH_WARNINGS, { mode: 0o600 });
    const child = spawn(process.execPath, [CLI, '-c', valid], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await expect.poll(() => output.includes('failed to connect to localhost:1'), { timeout: 20_000 }).toBe(true);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('close', resolve));
    const warnings = output.split('\n').filter((line) => line.includes('configuration: unknown key'));
    expect(warnings).toHaveLength(4);
    for (const line of output.split('\n')) expect(line).not.toMatch(UNPRINTABLE);
  });

  it('the app and the dashboard: every problem and warning the host hands the UI is printable', async () => {
    const dir = await mkdtemp(path.join(work, 'host-'));
    const host = unconfiguredHost(dir);
    await host.start();
    try {
      for (const text of [INVALID, VALID_WITH_WARNINGS]) {
        const preview = await host.previewConfigImport({ fileName: 'from\u202eDownloads.toml', text });
        const shown = preview.ok ? preview.warnings : [...preview.problems, ...preview.warnings];
        expect(shown.length).toBeGreaterThanOrEqual(4);
        for (const problem of shown)
          for (const value of [problem.file, problem.key, problem.message, problem.value, problem.fix])
            expect(value ?? '').not.toMatch(UNPRINTABLE);
      }
      const logs = await host.getLogs({ level: 'trace', text: '' });
      for (const record of logs)
        for (const value of [record.message, ...Object.values(record.fields)])
          expect(String(value)).not.toMatch(UNPRINTABLE);
    } finally {
      await host.close();
    }
  });
});

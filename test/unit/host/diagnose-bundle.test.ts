/**
 * The support bundle's redaction and archive format, without a network: every form of the
 * secret key and proxy credentials is removed from every file, whatever the config's quoting,
 * and the archive is a tar.gz that the system's `tar` lists.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSupportBundle, bundleSecrets, redactConfigText, scrubText } from '../../../src/host/diagnose-bundle.js';
import { tarArchive } from '../../../src/host/tar-writer.js';
import type { DiagnoseReport } from '../../../src/shared/diagnose-report.js';
import { parseProxyUrl } from '../../../src/tunnel/agent/proxy-config.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { parseAgentConfig } from '../../../src/tunnel/config/agent-config.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const REPORT: DiagnoseReport = {
  startedAt: 0,
  finishedAt: Date.UTC(2030, 0, 1),
  version: '0.1.0',
  ok: true,
  steps: [],
  notes: [],
};

describe('support bundle', () => {
  it('removes the secret key and the proxy credentials (plain, percent-encoded, Base64) from every file', () => {
    const key = generateKeyPair().secretKey.exportBase64url();
    const configText = `# my agent\n'secret-key' = '${key}'\n[server]\nhost = "gw.example.com"\n# key again: ${key}\n`;
    const config = parseAgentConfig(configText, { file: null, env: {} });
    const parsed = parseProxyUrl('http://corp%5Cjdoe:p%40ss-w0rd!@proxy.corp:3128', 'HTTPS_PROXY');
    if (!parsed.ok) throw new Error(parsed.error);
    const secrets = bundleSecrets(config, parsed.proxy);
    const logs = [
      {
        seq: 1,
        time: 0,
        level: 'warn' as const,
        module: 'cluvio_agent::agent',
        message: `failed via http://corp%5Cjdoe:p%40ss-w0rd!@proxy.corp:3128 with ${parsed.proxy.authorization ?? ''}`,
        fields: { user: 'corp\\jdoe', pw: 'p@ss-w0rd!' },
      },
    ];
    const bundle = buildSupportBundle({
      report: REPORT,
      configText,
      logs,
      secrets,
      env: { HTTPS_PROXY: 'corp%5Cjdoe:p%40ss-w0rd!@proxy.corp:3128', NO_PROXY: 'internal' },
    });
    const tar = gunzipSync(bundle).toString('utf8');
    for (const secret of [
      key,
      'corp\\jdoe',
      'p@ss-w0rd!',
      'corp%5Cjdoe',
      'p%40ss-w0rd!',
      parsed.proxy.authorization?.slice('Basic '.length) ?? 'none',
    ])
      expect(tar).not.toContain(secret);
    expect(tar).toContain(`'secret-key' = "[redacted]"`);
    expect(tar).toContain('host = "gw.example.com"');
    expect(tar).toContain('"HTTPS_PROXY": "[redacted]@proxy.corp:3128"');
  });

  it('redacts the secret-key line however it is written', () => {
    for (const line of ['secret-key = "abc"', "secret-key='abc'", '"secret-key"="abc"', '  secret-key =   """abc"""']) {
      expect(redactConfigText(`${line}\nother = 1\n`, [])).toMatch(
        /^\s*["']?secret-key["']?\s*=\s*"\[redacted\]"\nother = 1\n$/,
      );
    }
    expect(scrubText('see https://u:p@host/path and ftp://x@y', [])).toBe(
      'see https://[redacted]@host/path and ftp://[redacted]@y',
    );
  });

  it('writes a ustar archive that tar lists with the right sizes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-tar-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'a.tar');
    await writeFile(
      file,
      tarArchive([
        { name: 'b/one.txt', content: 'x'.repeat(513) },
        { name: 'b/empty', content: '' },
        { name: 'b/ü.json', content: '{}' },
      ]),
    );
    const { stdout } = await promisify(execFile)('tar', ['-tvf', file]);
    const rows = stdout
      .trim()
      .split('\n')
      .map((row) => row.split(/\s+/));
    expect(rows.map((row) => [row[2], row.at(-1)])).toEqual([
      ['513', 'b/one.txt'],
      ['0', 'b/empty'],
      ['2', 'b/ü.json'],
    ]);
    expect(() => tarArchive([{ name: '../escape', content: '' }])).toThrow(/unsafe/);
  });
});

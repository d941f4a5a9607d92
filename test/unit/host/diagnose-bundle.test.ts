/**
 * The support bundle's redaction and archive format, without a network: every form of the
 * secret key and proxy credentials is removed from every file; a configuration that parsed is
 * bundled as its parsed public form, one that did not as its redacted text
 * (test/unit/host/config-text-redaction.test.ts covers the spellings); the archive is a tar.gz
 * that the system's `tar` lists.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSupportBundle, bundleSecrets, publicConfigText, scrubText } from '../../../src/host/diagnose-bundle.js';
import { tarArchive } from '../../../src/host/tar-writer.js';
import type { DiagnoseReport } from '../../../src/shared/diagnose-report.js';
import { parseProxyUrl } from '../../../src/tunnel/agent/proxy-config.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { parseAgentConfig, toPublicConfig } from '../../../src/tunnel/config/agent-config.js';
import { readSupportBundle } from '../../support/support-bundle.js';

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
    const config = parseAgentConfig(configText, { file: '/etc/cluvio-agent.toml', env: {} });
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
    for (const publicConfig of [toPublicConfig(config), null]) {
      const bundle = buildSupportBundle({
        report: REPORT,
        publicConfig,
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
      expect(tar).toContain('host = "gw.example.com"');
      expect(tar).toContain('"HTTPS_PROXY": "[redacted]@proxy.corp:3128"');
      if (publicConfig === null) {
        // The text as written, with the key replaced (in its assignment and in the comment).
        expect(tar).toContain(`'secret-key' = "[redacted]"`);
        expect(tar).toContain('# key again: [redacted]');
      } else {
        // The parsed public configuration: no comment, the key's public half only.
        expect(tar).toContain('secret-key = "[redacted]"');
        expect(tar).not.toContain('# key again');
        expect(tar).toContain(`agent ID (the public half of the key): ${config.agentId}`);
      }
    }
    expect(scrubText('see https://u:p@host/path and ftp://x@y', [])).toBe(
      'see https://[redacted]@host/path and ftp://[redacted]@y',
    );
    // User information holding `@` and `/`: everything up to the word's last `@` goes.
    expect(scrubText('via http://u:p@ss/w#rd@proxy:3128 now', [])).toBe('via http://[redacted]@proxy:3128 now');
  });

  it('writes the parsed public configuration as a TOML file the agent reads back to the same configuration', () => {
    const key = generateKeyPair().secretKey.exportBase64url();
    const config = parseAgentConfig(
      `secret-key = "${key}"\nallowed-addresses = ["10.0.0.0/8", "*.db.internal"]\nconnect-timeout = "1m 30s"\nping-frequency = "1500ms"\n[server]\nhost = "gw.example.com"\nport = 8443\n`,
      { file: '/etc/cluvio-agent.toml', env: {} },
    );
    const text = publicConfigText(toPublicConfig(config));
    expect(text).not.toContain(key);
    const again = parseAgentConfig(text.replace('"[redacted]"', `"${key}"`), { file: null, env: {} });
    expect(toPublicConfig(again)).toEqual({ ...toPublicConfig(config), path: null });
  });

  it('system.json shows proxy variables as URLs without user information; a value that is not a URL not at all', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-bundle-env-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'bundle.tar.gz');
    await writeFile(
      file,
      buildSupportBundle({
        report: REPORT,
        configText: null,
        logs: [],
        secrets: [],
        env: {
          HTTPS_PROXY: 'http://jdoe:Pa ss/w#rd?x@y@proxy.corp:3128',
          http_proxy: 'http://jdoe:S3cr3t-Pw@proxy.corp:3128/path?and#more',
          ALL_PROXY: 'socks5://jdoe:An0ther-Pw@proxy.corp',
          NO_PROXY: 'internal,.corp,10.0.0.0/8,[::1],jdoe:Pw-in-no-proxy@x',
        },
      }),
    );
    const bundle = await readSupportBundle(file);
    const system = JSON.parse(bundle.files['system.json'] ?? '') as { proxyVariables: Record<string, string> };
    expect(system.proxyVariables).toEqual({
      HTTPS_PROXY: 'http://[redacted]@proxy.corp:3128',
      http_proxy: '[not a URL: not shown]',
      ALL_PROXY: 'socks5://[redacted]@proxy.corp',
      NO_PROXY: 'internal,.corp,10.0.0.0/8,[::1],[not shown]',
    });
    for (const secret of ['Pa ss', 'w#rd', 'S3cr3t', 'An0ther', 'Pw-in-no-proxy', 'jdoe'])
      expect(bundle.raw).not.toContain(secret);
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

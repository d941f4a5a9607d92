/**
 * "Save support bundle" on the product's host (createTunnelAgentHost, the real engine on an
 * unreachable gateway, a proxy with credentials), with real files in a temp folder: the bundle is
 * a new owner-only .tar.gz in the host's folder, with the diagnose report, the configuration without
 * its secret key, the host's log records and the versions, and no secret anywhere in it. The call
 * takes no argument: the UI never names the path.
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../../src/host/agent-host.js';
import { BUNDLE_REPORT_MAX_AGE_MS } from '../../../src/host/host-support.js';
import {
  appLogFolder,
  createTunnelAgentHost,
  type TunnelAgentHostOptions,
} from '../../../src/host/tunnel-agent-host.js';
import type { SupportBundleResult } from '../../../src/shared/agent-api.js';
import { dispatchAgentCall } from '../../../src/shared/agent-api-dispatch.js';
import type { DiagnoseReport } from '../../../src/shared/diagnose-report.js';
import { parseProxyUrl } from '../../../src/tunnel/agent/proxy-config.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { readSupportBundle } from '../../support/support-bundle.js';
import { closedLoopbackPort, offlineConfig } from './support/offline-config.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PROXY_USER = 'bundle-proxy-user';
const PROXY_PASSWORD = 'Bundle-proxy-pw-42';
const BUNDLE_NAME = /^cluvio-agent-support-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.tar\.gz$/;

interface Setup {
  readonly dir: string;
  readonly host: AgentHost<AgentConfig>;
  readonly key: string;
  readonly configFile: string;
  readonly proxyPort: number;
}

async function setup(options: Partial<TunnelAgentHostOptions> = {}): Promise<Setup> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-bundle-host-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const key = SecretKey.generate().exportBase64url();
  const configFile = path.join(dir, 'etc', 'cluvio-agent.toml');
  await mkdir(path.dirname(configFile));
  // The key again in a comment: the bundle holds the parsed configuration, so no comment goes in.
  await writeFile(configFile, `${offlineConfig(await closedLoopbackPort(), key)}# backup of the key: ${key}\n`, {
    mode: 0o600,
  });
  const proxyPort = await closedLoopbackPort();
  const proxyUrl = `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxyPort}`;
  const parsed = parseProxyUrl(proxyUrl, 'HTTPS_PROXY');
  if (!parsed.ok) throw new Error(parsed.error);
  const host = createTunnelAgentHost({
    appVersion: '0.1.0-test',
    transport: 'dashboard',
    search: {
      platform: 'linux',
      env: { HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'xdg'), HTTPS_PROXY: proxyUrl },
      homeDir: path.join(dir, 'home'),
      exeDir: path.join(dir, 'bin'),
    },
    configPath: configFile,
    proxy: parsed.proxy,
    ...options,
  });
  cleanups.push(() => host.close());
  await host.start();
  return { dir, host, key, configFile, proxyPort };
}

function saved(result: SupportBundleResult): Extract<SupportBundleResult, { ok: true }> {
  if (!result.ok) throw new Error(result.error);
  return result;
}

describe('Save support bundle (host)', () => {
  it('writes a new owner-only .tar.gz into the host’s folder with the report, the redacted config, the log buffer and the versions, and no secret', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'cluvio-bundle-out-'));
    cleanups.push(() => rm(out, { recursive: true, force: true }));
    const { host, key, proxyPort } = await setup({ supportBundle: { dir: path.join(out, 'bundles') } });
    host.record('info', 'cluvio_agent_desktop::test', 'a line from the app', { marker: 'before-the-bundle' });
    // The log pipeline knows the secret key, not the proxy's credentials: the bundle removes those.
    host.record('warn', 'cluvio_agent_desktop::test', `proxy refused ${PROXY_USER} with ${PROXY_PASSWORD}`, {
      detail: `${PROXY_USER}:${PROXY_PASSWORD}`,
    });

    const result = saved(await host.saveSupportBundle());
    expect(result.path).toBe(path.join(out, 'bundles', result.fileName));
    expect(result.fileName).toMatch(BUNDLE_NAME);
    expect(path.basename(result.path)).toBe(result.fileName);
    expect(result.shown).toBe(false);
    const info = await stat(result.path);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.size).toBe(result.bytes);
    expect((await stat(path.dirname(result.path))).mode & 0o777).toBe(0o700);

    const bundle = await readSupportBundle(result.path);
    expect(Object.keys(bundle.files)).toEqual([
      'cluvio-agent.toml',
      'logs.txt',
      'report.json',
      'report.txt',
      'system.json',
    ]);
    const everything = [...Object.values(bundle.files), bundle.raw].join('\n');
    for (const secret of [
      key,
      PROXY_USER,
      PROXY_PASSWORD,
      `${PROXY_USER}:${PROXY_PASSWORD}`,
      Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64'),
    ]) {
      expect(everything).not.toContain(secret);
    }

    expect(bundle.files['cluvio-agent.toml']).toContain('secret-key = "[redacted]"');
    expect(bundle.files['cluvio-agent.toml']).toContain('host = "localhost"');
    // The parsed public configuration, not the file's text: its comments are not carried over.
    expect(bundle.files['cluvio-agent.toml']).not.toContain('# backup of the key');
    const report = JSON.parse(bundle.files['report.json'] ?? '') as DiagnoseReport;
    expect(report.finishedAt).toBe(result.reportFinishedAt);
    expect(report.steps[0]).toMatchObject({ kind: 'config', status: 'pass' });
    expect(report.steps.some((step) => step.status === 'fail')).toBe(true);
    expect(bundle.files['report.txt']).toContain('PASS  Configuration: ');
    expect(bundle.files['report.txt']).toContain(`http://[redacted]@127.0.0.1:${proxyPort}`);
    // The host's log buffer: the app's own lines, the diagnose run, the engine's records.
    const logs = bundle.files['logs.txt'] ?? '';
    expect(logs).toMatch(/INFO {2}cluvio_agent_desktop::test: a line from the app marker=before-the-bundle\n/);
    expect(logs).toContain(
      'WARN  cluvio_agent_desktop::test: proxy refused [redacted] with [redacted] detail=[redacted]\n',
    );
    expect(logs).toMatch(/cluvio_agent_desktop::host: diagnose started/);
    expect(logs).toMatch(/cluvio_agent_desktop::host: configuration path=/);
    const system = JSON.parse(bundle.files['system.json'] ?? '') as {
      versions: Record<string, string>;
      proxyVariables: Record<string, string>;
    };
    expect(system.versions).toMatchObject({ agent: '0.1.0-test', node: process.versions.node });
    expect(system.proxyVariables).toEqual({ HTTPS_PROXY: `http://[redacted]@127.0.0.1:${proxyPort}` });

    // The Logs view sees that it was saved, and where.
    expect((await host.getLogs({ level: 'info', text: 'support bundle saved' })).at(-1)?.fields).toEqual({
      path: result.path,
      bytes: result.bytes,
    });
  });

  it('by default goes to the app’s log folder; a recent report of the same configuration is reused, an old one is run again', async () => {
    let offset = 0;
    const { dir, host } = await setup({ now: () => Date.now() + offset });
    expect(appLogFolder({ platform: 'linux', env: { HOME: '/home/ana' }, homeDir: '', exeDir: '/opt' })).toBe(
      '/home/ana/.config/Cluvio Agent/logs',
    );
    expect(appLogFolder({ platform: 'darwin', env: { HOME: '/Users/ana' }, homeDir: '', exeDir: '/opt' })).toBe(
      '/Users/ana/Library/Logs/Cluvio Agent',
    );
    expect(
      appLogFolder({
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' },
        homeDir: '',
        exeDir: 'C:\\app',
      }),
    ).toBe('C:\\Users\\ana\\AppData\\Roaming\\Cluvio Agent\\logs');
    expect(appLogFolder({ platform: 'linux', env: {}, homeDir: '', exeDir: '/opt' })).toBeNull();

    const report = await host.diagnose();
    const first = saved(await host.saveSupportBundle());
    expect(path.dirname(first.path)).toBe(path.join(dir, 'xdg', 'Cluvio Agent', 'logs'));
    expect(first.reportFinishedAt).toBe(report.finishedAt);

    offset = BUNDLE_REPORT_MAX_AGE_MS + 60_000;
    const second = saved(await host.saveSupportBundle());
    expect(second.reportFinishedAt).toBeGreaterThan(report.finishedAt);
    expect(second.fileName).not.toBe(first.fileName);
    expect((await readdir(path.dirname(first.path))).sort()).toEqual([first.fileName, second.fileName].sort());
  });

  it('says why when it cannot write, and takes no path (or anything else) from the UI', async () => {
    const blocked = path.join(await mkdtemp(path.join(tmpdir(), 'cluvio-bundle-blocked-')), 'not-a-folder');
    cleanups.push(() => rm(path.dirname(blocked), { recursive: true, force: true }));
    await writeFile(blocked, 'a file where the folder should be');
    const { host } = await setup({ supportBundle: { dir: blocked } });
    const result = await host.saveSupportBundle();
    expect(result).toEqual({
      ok: false,
      error: expect.stringContaining(`The support bundle could not be saved in ${blocked}: `) as unknown,
    });
    expect(await dispatchAgentCall(host, 'saveSupportBundle', { path: '/tmp/elsewhere.tar.gz' })).toEqual({
      ok: false,
      error: 'this call takes no argument',
    });
    expect(await dispatchAgentCall(host, 'saveSupportBundle', '/tmp/elsewhere.tar.gz')).toEqual({
      ok: false,
      error: 'this call takes no argument',
    });
  });
});

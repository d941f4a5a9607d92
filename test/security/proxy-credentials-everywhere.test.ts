/**
 * Proxy user names and passwords, as password generators make them (`/`, `#`, `?`, `@`, spaces,
 * `:`, `%`, quotes, non-ASCII; test/security/support/secret-corpus.ts, a fixed-seed sample plus
 * the hardest hand-made set), never appear in anything the agent prints, logs, serves or bundles —
 * while the agent does reach its gateway through a real proxy (npm `proxy`) that admits exactly
 * those credentials. Searched for: the user and password as written, percent-encoded, in
 * base64url, `user:password`, the Basic credentials, and each random piece of them on its own
 * (a leak of the part after a `#` or an `@` counts). Searched in:
 *
 *   - `cluvio-agent` at trace level, text and JSON, stdout and stderr, the proxy from
 *     HTTPS_PROXY, from `--proxy` percent-encoded, and without a scheme;
 *   - the start-up error for each broken way to write the URL (no host, a path, a bad port, a
 *     space in the host, an unclosed IPv6 bracket, an unsupported scheme);
 *   - `cluvio-agent diagnose`, text and `--json`, with a working and with a broken proxy, and
 *     the `--bundle` each writes, extracted with `tar`;
 *   - `cluvio-agent --dashboard`: every API reply (settings included), the three event streams,
 *     and the bundle "Save support bundle" writes;
 *   - the desktop app's log file (src/main/log-file.ts on electron-log's file transport, fed by
 *     a host built as src/main/main.ts builds it), its diagnose report and bundle.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fileLog from 'electron-log/node';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDashboard } from '../../src/host/dashboard-server.js';
import { FileAppSettings } from '../../src/host/app-settings.js';
import { createTunnelAgentHost } from '../../src/host/tunnel-agent-host.js';
import { openLogFile } from '../../src/main/log-file.js';
import { proxyFromEnvironment } from '../../src/tunnel/agent/proxy-config.js';
import { type GatewayFixture, startGatewayFixture, waitUntil } from '../support/gateway-fixture.js';
import { readSupportBundle } from '../support/support-bundle.js';
import { CLI, spawnCli } from '../e2e/ui/support/cli-process.js';
import { readEvents } from '../unit/host/support/http.js';
import { startAuthProxy, type AuthProxy } from './support/auth-proxy.js';
import {
  basicAuthorization,
  brokenProxyUrls,
  credentialSpellings,
  leaks,
  type ProxyCredentials,
  sampleCredentials,
  workingProxyUrls,
} from './support/secret-corpus.js';

vi.mock('electron-log/main', async () => await import('electron-log/node'));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
});

/** The hand-made hardest set and two generated ones (fixed seed: a failure reproduces). */
const CREDENTIALS = sampleCredentials(3);

function expectNoLeak(text: string, credentials: ProxyCredentials, where: string): void {
  const leaked = leaks(text, credentialSpellings(credentials));
  expect(leaked, `${where} contains ${JSON.stringify(leaked)} of ${JSON.stringify(credentials)}`).toBeNull();
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-proxy-secrets-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Setup {
  readonly fixture: GatewayFixture;
  readonly proxy: AuthProxy;
  readonly agentId: string;
  readonly dir: string;
  readonly configFile: string;
  readonly home: string;
  readonly env: Record<string, string>;
}

async function setup(credentials: ProxyCredentials): Promise<Setup> {
  const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
  cleanups.push(() => fixture.close());
  const proxy = await startAuthProxy(basicAuthorization(credentials));
  cleanups.push(() => proxy.close());
  const keys = fixture.addAgent();
  const dir = await tempDir();
  const configFile = path.join(dir, 'cluvio-agent.toml');
  await writeFile(configFile, fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }), { mode: 0o600 });
  const home = path.join(dir, 'home');
  await mkdir(home);
  return {
    fixture,
    proxy,
    agentId: keys.agentId,
    dir,
    configFile,
    home,
    env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') },
  };
}

/** Runs the CLI to its end; everything it printed. */
async function runToEnd(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const cli = spawnCli(args, env);
  cleanups.push(() => cli.stop('SIGKILL'));
  const exit = await cli.exited;
  return { code: exit.code, output: `${cli.stdout()}\n${cli.stderr()}` };
}

describe('proxy credentials never appear in the CLI’s output', () => {
  it('trace-level text and JSON logs of an agent that reaches its gateway through the proxy, however the URL is written', async () => {
    for (const credentials of CREDENTIALS) {
      const s = await setup(credentials);
      const urls = workingProxyUrls(credentials, `127.0.0.1:${s.proxy.port}`);
      const runs: [string, string[], Record<string, string>][] = [
        ['HTTPS_PROXY as written, text', [], { HTTPS_PROXY: urls[0] ?? '' }],
        ['--proxy percent-encoded, JSON', ['--proxy', urls[1] ?? '', '-j'], {}],
        ['https_proxy without a scheme, text', [], { https_proxy: urls[2] ?? '' }],
      ];
      for (const [name, args, env] of runs) {
        const before = s.proxy.tunnels();
        const agent = spawnCli(['-c', s.configFile, '-l', 'trace', ...args], { ...s.env, ...env });
        cleanups.push(() => agent.stop('SIGKILL'));
        await s.fixture.gateway.waitForAgent(s.agentId, { timeoutMs: 20_000 });
        await s.fixture.gateway.test(s.agentId, '10.9.8.7:5432'); // a refusal, logged
        expect(s.proxy.tunnels(), `${name}: through the proxy`).toBeGreaterThan(before);
        await agent.stop();
        const output = `${agent.stdout()}\n${agent.stderr()}`;
        expect(output, name).toMatch(/using proxy/);
        expect(output, name).toContain(`[redacted]@127.0.0.1:${s.proxy.port}`);
        expectNoLeak(output, credentials, name);
      }
      // The proxy saw exactly the credentials, every time.
      expect(new Set(s.proxy.authorizations())).toEqual(new Set([basicAuthorization(credentials)]));
    }
  }, 180_000);

  it('the start-up error for every broken way to write the URL says what is wrong and repeats none of it', async () => {
    const dir = await tempDir();
    const configFile = path.join(dir, 'cluvio-agent.toml');
    await writeFile(configFile, 'secret-key = "x"\n', { mode: 0o600 });
    for (const credentials of CREDENTIALS) {
      for (const [index, url] of brokenProxyUrls(credentials, '127.0.0.1:3128').entries()) {
        const viaOption = index % 2 === 0;
        const { code, output } = await runToEnd(
          ['-c', configFile, ...(viaOption ? ['--proxy', url] : [])],
          viaOption ? { HOME: dir } : { HOME: dir, HTTPS_PROXY: url },
        );
        expect(code, output).toBe(2);
        expect(output).toMatch(
          viaOption ? /^error: invalid value for '--proxy <URL>': /m : /^error: unusable proxy setting: HTTPS_PROXY: /m,
        );
        expect(output).toMatch(/is not a URL: |is not supported|its scheme is not http/);
        expectNoLeak(output, credentials, `the error for ${JSON.stringify(url)}`);
      }
    }
  }, 180_000);

  it('diagnose, text and JSON, with a working and with a broken proxy, and the bundles they write', async () => {
    for (const credentials of CREDENTIALS) {
      const s = await setup(credentials);
      const [working] = workingProxyUrls(credentials, `127.0.0.1:${s.proxy.port}`);
      const broken = brokenProxyUrls(credentials, `127.0.0.1:${s.proxy.port}`)[1] ?? '';
      const runs: [string, string[], Record<string, string>, number][] = [
        ['diagnose (HTTPS_PROXY)', [], { HTTPS_PROXY: working ?? '' }, 0],
        ['diagnose --json (HTTPS_PROXY)', ['--json'], { HTTPS_PROXY: working ?? '' }, 0],
        ['diagnose --proxy <broken>', ['--proxy', broken], {}, 1],
        ['diagnose --json (broken HTTPS_PROXY)', ['--json'], { HTTPS_PROXY: broken }, 1],
      ];
      for (const [index, [name, args, env, expected]] of runs.entries()) {
        const bundle = path.join(s.dir, `bundle-${index}.tar.gz`);
        const { code, output } = await runToEnd(['diagnose', '-c', s.configFile, ...args, '--bundle', bundle], {
          ...s.env,
          ...env,
        });
        expect(code, `${name}: ${output}`).toBe(expected);
        if (expected === 0) expect(output).toContain(`[redacted]@127.0.0.1:${s.proxy.port}`);
        else expect(output).toMatch(/is not a URL/);
        expectNoLeak(output, credentials, name);
        const extracted = await readSupportBundle(bundle);
        expect(Object.keys(extracted.files)).toContain('report.json');
        expectNoLeak([...Object.values(extracted.files), extracted.raw].join('\n'), credentials, `${name}: the bundle`);
      }
    }
  }, 240_000);
});

async function rawCall(url: string, name: string, arg?: unknown): Promise<{ text: string; value: unknown }> {
  const response = await fetch(`${url}api/call/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(arg === undefined ? {} : { arg }),
  });
  const text = await response.text();
  expect(response.status, `${name}: ${text}`).toBe(200);
  const reply = JSON.parse(text) as { ok: boolean; value?: unknown; error?: string };
  if (!reply.ok) throw new Error(`${name}: ${reply.error ?? ''}`);
  return { text, value: reply.value };
}

describe('proxy credentials never appear in what the dashboard serves or the desktop app logs', () => {
  it('cluvio-agent --dashboard: every API reply, the event streams, the saved bundle and the terminal', async () => {
    for (const credentials of CREDENTIALS) {
      const s = await setup(credentials);
      const url = workingProxyUrls(credentials, `127.0.0.1:${s.proxy.port}`)[0] ?? '';
      const agent = spawnCli(['--dashboard', '-c', s.configFile, '-l', 'trace'], { ...s.env, HTTPS_PROXY: url });
      cleanups.push(() => agent.stop('SIGKILL'));
      const dashboard = await agent.dashboardUrl();
      const events = (['snapshot', 'streams', 'logs'] as const).map((topic) =>
        readEvents(`${dashboard}api/events/${topic}`, 1_000_000).catch(() => []),
      );
      await s.fixture.gateway.waitForAgent(s.agentId, { timeoutMs: 20_000 });
      await s.fixture.gateway.test(s.agentId, '10.9.8.7:5432');
      const served: string[] = [];
      for (const name of ['getHostInfo', 'getSnapshot', 'getStreams', 'getAppSettings', 'diagnose'])
        served.push((await rawCall(dashboard, name)).text);
      const settings = JSON.parse(served[3] ?? '{}') as { value: { proxy: string } };
      expect(settings.value.proxy).toBe(`http://[redacted]@127.0.0.1:${s.proxy.port}`);
      served.push((await rawCall(dashboard, 'getLogs', { level: 'trace', text: '' })).text);
      const saved = await rawCall(dashboard, 'saveSupportBundle');
      served.push(saved.text);
      const bundle = await readSupportBundle((saved.value as { path: string }).path);
      await waitUntil(() => s.proxy.tunnels() >= 2, 'the diagnose run through the proxy');
      await agent.stop();
      const streamed = JSON.stringify(await Promise.all(events));
      expect(streamed.length).toBeGreaterThan(1000);
      expectNoLeak(served.join('\n'), credentials, 'the dashboard’s replies');
      expectNoLeak(streamed, credentials, 'the dashboard’s event streams');
      expectNoLeak([...Object.values(bundle.files), bundle.raw].join('\n'), credentials, 'the saved bundle');
      expectNoLeak(`${agent.stdout()}\n${agent.stderr()}`, credentials, 'the terminal');
    }
  }, 180_000);

  it('the desktop log file, settings, diagnose report and bundle of a host built as the app builds it (working and broken HTTPS_PROXY)', async () => {
    for (const [index, credentials] of CREDENTIALS.entries()) {
      const s = await setup(credentials);
      const env = {
        ...s.env,
        HTTPS_PROXY:
          index % 2 === 0
            ? (workingProxyUrls(credentials, `127.0.0.1:${s.proxy.port}`)[0] ?? '')
            : (brokenProxyUrls(credentials, `127.0.0.1:${s.proxy.port}`)[4] ?? ''),
      };
      // As src/main/main.ts: the proxy from the environment, its display in the settings, the
      // choice (or the problem) logged, the log file fed every record.
      const proxyChoice = proxyFromEnvironment(env);
      const proxy = proxyChoice?.ok === true ? proxyChoice.proxy : null;
      const proxyProblem = proxyChoice?.ok === false ? proxyChoice.error : null;
      const logPath = path.join(s.dir, 'logs', 'main.log');
      fileLog.transports.file.resolvePathFn = () => logPath;
      const logFile = openLogFile('trace');
      const host = createTunnelAgentHost({
        appVersion: '0.1.0-test',
        transport: 'electron',
        search: { platform: 'linux', env, homeDir: s.home, exeDir: path.join(s.dir, 'bin') },
        configPath: s.configFile,
        proxy,
        proxyProblem,
        settings: new FileAppSettings({
          file: path.join(s.dir, 'settings.json'),
          proxy: proxy?.display ?? null,
          log: () => undefined,
        }),
        supportBundle: { dir: path.join(s.dir, 'logs') },
      });
      cleanups.push(() => host.close());
      host.onLogRecord((record) => {
        logFile.write(record);
      });
      if (proxy !== null) host.record('info', 'cluvio_agent_desktop', 'using proxy', { proxy: proxy.display });
      if (proxyProblem !== null)
        host.record('warn', 'cluvio_agent_desktop', 'proxy setting ignored', { problem: proxyProblem });
      const dashboard = await startDashboard({ api: host });
      cleanups.push(() => dashboard.close());
      await host.start();
      if (proxy !== null) await s.fixture.gateway.waitForAgent(s.agentId, { timeoutMs: 20_000 });
      const served: string[] = [];
      for (const name of ['getAppSettings', 'diagnose', 'getSnapshot'])
        served.push((await rawCall(dashboard.url, name)).text);
      const saved = await rawCall(dashboard.url, 'saveSupportBundle');
      served.push(saved.text);
      const bundle = await readSupportBundle((saved.value as { path: string }).path);
      await host.close();
      const fileText = await readFile(logPath, 'utf8');
      expect(fileText).toMatch(proxy === null ? /proxy setting ignored problem=.*is not a URL/ : /using proxy/);
      expectNoLeak(fileText, credentials, 'the log file');
      expectNoLeak(served.join('\n'), credentials, 'the settings, diagnose report and snapshot');
      expectNoLeak([...Object.values(bundle.files), bundle.raw].join('\n'), credentials, 'the bundle');
    }
  }, 180_000);
});

// The detector finds what it looks for (so the tests above can fail).
describe('the leak detector', () => {
  it('finds every spelling of the credentials, and each piece of them', () => {
    for (const credentials of CREDENTIALS) {
      for (const spelling of credentialSpellings(credentials))
        expect(() => {
          expectNoLeak(`x ${spelling} y`, credentials, 'a line');
        }).toThrow();
    }
  });
});

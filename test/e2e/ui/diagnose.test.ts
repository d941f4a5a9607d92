/**
 * The Diagnose view and the metrics setting in a real browser (Debian's Chromium):
 *
 * - against `cluvio-agent --dashboard` connected to a real gateway: every step passes, the key
 *   check reads the running agent (the gateway sees no second connection), and the allowed
 *   database is reached; and for an agent that does not trust the gateway's CA, the TLS step fails
 *   with its fix; "Save support bundle" writes an owner-only .tar.gz into the app's log folder
 *   under the agent's HOME, with the report, the configuration without its secret key and the
 *   dashboard's log records, and the page shows its path. Screenshots:
 *   test-results/ui/diagnose.png, diagnose-failure.png, diagnose-support-bundle.png.
 * - the desktop app's settings on the product's host with its settings file: a metrics address
 *   saved from the Settings view is served at once, stored in the settings file (not in
 *   cluvio-agent.toml), and a non-loopback address is refused with the reason.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificateAuthority } from '../../../src/gateway/certificates.js';
import { FileAppSettings } from '../../../src/host/app-settings.js';
import { startDashboard } from '../../../src/host/dashboard-server.js';
import { createTunnelAgentHost } from '../../../src/host/tunnel-agent-host.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { listenLoopback } from '../../support/loopback.js';
import { readSupportBundle } from '../../support/support-bundle.js';
import { launchChromium, screenshot } from './support/chromium.js';
import { type DashboardAgent, startDashboardAgent } from './support/dashboard-agent.js';

const WAIT = { timeout: 60_000, interval: 100 };

let browser: Browser;
let fixture: GatewayFixture;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (!existsSync(path.resolve('dist', 'renderer', 'index.html')))
    throw new Error('dist/renderer is missing: run npm run build first');
  browser = await launchChromium();
  fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
});

afterAll(async () => {
  await browser.close();
  await fixture.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  cleanups.push(() => page.close());
  return { page, errors };
}

async function dashboardAgent(configToml: string): Promise<DashboardAgent> {
  const agent = await startDashboardAgent(configToml);
  cleanups.push(() => agent.close());
  return agent;
}

async function runDiagnose(page: Page): Promise<string> {
  await page.getByRole('tab', { name: 'Diagnose' }).click();
  await page.getByRole('button', { name: 'Run diagnose' }).click();
  const status = page.getByTestId('diagnose-status');
  await expect.poll(() => status.textContent(), WAIT).toMatch(/^(No problem found|\d+ checks? failed)\./);
  return (await status.textContent()) ?? '';
}

function step(page: Page, title: string): ReturnType<Page['getByTestId']> {
  return page.getByTestId('diagnose-step').filter({ has: page.locator('.diagnose-title', { hasText: title }) });
}

describe('Diagnose view', () => {
  it('online through a real gateway: every check passes, the key check reads the running agent, the allowed database is reached', async () => {
    const { server, port: db } = await listenLoopback((socket) => socket.end());
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const keys = fixture.addAgent();
    const agent = await dashboardAgent(
      fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32', '10.0.0.0/8'] }),
    );
    const live = await fixture.gateway.waitForAgent(keys.agentId);
    // A stream to the database makes its port known to the check of 127.0.0.1/32.
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${db}`);
    stream.destroy();

    const { page, errors } = await newPage();
    await page.goto(agent.url);
    await expect.poll(() => page.getByRole('banner').getByTestId('state-badge').textContent(), WAIT).toBe('Online');
    const verdict = await runDiagnose(page);
    expect(verdict).toMatch(/^No problem found\. 6 passed, 0 warnings, 1 skipped\./);

    for (const title of [
      'Configuration',
      'Server name resolves',
      'TCP connection',
      'TLS 1.3 and certificate',
      "Gateway accepts the agent's key",
      'Reach 127.0.0.1/32 (allowed-addresses)',
    ]) {
      expect(await step(page, title).getAttribute('data-status'), title).toBe('pass');
    }
    expect(await step(page, 'Configuration').textContent()).toContain(
      `${agent.configPath} (found by: command line (--config))`,
    );
    expect(await step(page, 'TLS 1.3 and certificate').textContent()).toContain(
      'trust anchor: [server] trust certificate 1 of 1 (CN=Gateway test CA)',
    );
    expect(await step(page, "Gateway accepts the agent's key").textContent()).toContain('the running agent is online');
    expect(await step(page, 'Reach 127.0.0.1/32 (allowed-addresses)').textContent()).toContain(
      `127.0.0.1:${db} accepts connections`,
    );
    expect(await step(page, 'Allowed ranges and patterns').getAttribute('data-status')).toBe('skip');
    // No second connection: the running agent was not displaced.
    expect(fixture.gateway.agents().find((a) => a.id === keys.agentId)?.currentConnectionId).toBe(live.id);
    expect(await page.content()).not.toContain(keys.secretKey.exportBase64url());
    await screenshot(page, 'diagnose');
    expect(errors).toEqual([]);
  });

  it('a gateway certificate from a CA the agent does not trust: the TLS step fails with its fix; the key check is skipped', async () => {
    const keys = fixture.addAgent();
    const other = await generateCertificateAuthority('Not the gateway CA');
    const agent = await dashboardAgent(
      fixture.agentConfigToml(keys, { trustPem: other.certPem, allowedAddresses: ['127.0.0.1/32'] }),
    );
    const { page, errors } = await newPage();
    await page.goto(agent.url);
    const verdict = await runDiagnose(page);
    expect(verdict).toMatch(/^1 check failed\./);
    const tls = step(page, 'TLS 1.3 and certificate');
    expect(await tls.getAttribute('data-status')).toBe('fail');
    expect(await tls.getByTestId('diagnose-fix').textContent()).toContain(
      'put its CA certificate (PEM) into [server] trust',
    );
    expect(await tls.textContent()).toContain('issuer: CN=Gateway test CA');
    expect(await step(page, "Gateway accepts the agent's key").getAttribute('data-status')).toBe('skip');
    await screenshot(page, 'diagnose-failure');
    expect(errors).toEqual([]);
  });
});

describe('Save support bundle', () => {
  it('from the Diagnose view: an owner-only .tar.gz in the app’s log folder on the agent’s machine, its path shown, no secret key in it', async () => {
    const keys = fixture.addAgent();
    const agent = await dashboardAgent(fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }));
    await fixture.gateway.waitForAgent(keys.agentId);
    // startDashboardAgent runs the agent with HOME=<its temp folder>/home, beside etc/cluvio-agent.toml.
    const logFolder = path.join(
      path.dirname(path.dirname(agent.configPath)),
      'home',
      '.config',
      'Cluvio Agent',
      'logs',
    );

    const { page, errors } = await newPage();
    await page.goto(agent.url);
    await expect.poll(() => page.getByRole('banner').getByTestId('state-badge').textContent(), WAIT).toBe('Online');
    await page.getByRole('tab', { name: 'Diagnose' }).click();
    // No report yet: saving runs the checks itself.
    await page.getByRole('button', { name: 'Save support bundle' }).click();
    const shown = page.getByTestId('support-bundle-path');
    await expect.poll(() => shown.count(), WAIT).toBe(1);
    const file = (await shown.textContent()) ?? '';
    expect(path.dirname(file)).toBe(logFolder);
    expect(path.basename(file)).toMatch(/^cluvio-agent-support-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.tar\.gz$/);
    expect(await page.getByTestId('support-bundle-saved').textContent()).toContain(
      'saved on the machine running the agent',
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const bundle = await readSupportBundle(file);
    expect(Object.keys(bundle.files)).toEqual([
      'cluvio-agent.toml',
      'logs.txt',
      'report.json',
      'report.txt',
      'system.json',
    ]);
    for (const text of [...Object.values(bundle.files), bundle.raw])
      expect(text).not.toContain(keys.secretKey.exportBase64url());
    expect(bundle.files['cluvio-agent.toml']).toContain('secret-key = "[redacted]"');
    expect(bundle.files['cluvio-agent.toml']).toContain(`port = ${fixture.port}`);
    expect(bundle.files['report.txt']).toContain(
      `PASS  Configuration: ${agent.configPath} (found by: command line (--config))`,
    );
    expect(bundle.files['report.txt']).toContain("PASS  Gateway accepts the agent's key");
    // The dashboard's log buffer: the engine's records and the host's own.
    expect(bundle.files['logs.txt']).toMatch(/cluvio_agent::agent: up and running/);
    expect(bundle.files['logs.txt']).toMatch(/cluvio_agent_desktop::host: diagnose finished/);
    expect(await page.content()).not.toContain(keys.secretKey.exportBase64url());
    await screenshot(page, 'diagnose-support-bundle');
    expect(errors).toEqual([]);
  });
});

describe('Settings: the metrics address, in the app settings file', () => {
  it('saved from the view, it is served at once and stored in the settings file, not in cluvio-agent.toml; a non-loopback address is refused', async () => {
    const keys = fixture.addAgent();
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-ui-settings-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const configFile = path.join(dir, 'etc', 'cluvio-agent.toml');
    await mkdir(path.dirname(configFile), { recursive: true });
    const configText = fixture.agentConfigToml(keys);
    await writeFile(configFile, configText, { mode: 0o600 });
    const settingsFile = path.join(dir, 'userData', 'settings.json');
    const settings = new FileAppSettings({ file: settingsFile, proxy: null, log: () => undefined });
    const host = createTunnelAgentHost({
      appVersion: '0.1.0-test',
      transport: 'electron',
      search: {
        platform: 'linux',
        env: { HOME: path.join(dir, 'home') },
        homeDir: path.join(dir, 'home'),
        exeDir: path.join(dir, 'bin'),
      },
      configPath: configFile,
      settings,
    });
    cleanups.push(() => host.close());
    await host.start();
    await settings.start(host);
    cleanups.push(() => settings.close());
    const dashboard = await startDashboard({ api: host, rendererDir: path.resolve('dist', 'renderer') });
    cleanups.push(() => dashboard.close());
    await fixture.gateway.waitForAgent(keys.agentId);

    const { page, errors } = await newPage();
    await page.goto(`${dashboard.url}#settings`);
    const field = page.getByLabel('Metrics address');
    const status = page.getByTestId('metrics-status');
    await expect.poll(() => status.textContent(), WAIT).toBe('Off.');

    await field.fill('0.0.0.0:9464');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => status.textContent(), WAIT)
      .toContain('the metrics endpoint listens on loopback only, and 0.0.0.0 is not a loopback address');
    expect(existsSync(settingsFile)).toBe(false);

    await field.fill('127.0.0.1:0');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => status.textContent(), WAIT).toMatch(/^Serving http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const url = (await status.textContent())?.replace(/^Serving /, '') ?? '';
    const metrics = await (await fetch(url)).text();
    expect(metrics).toContain('cluvio_agent_online 1');
    expect(metrics).toContain(`agent_id="${keys.agentId}"`);
    expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toEqual({ metricsAddress: '127.0.0.1:0' });
    expect(await readFile(configFile, 'utf8')).toBe(configText);
    expect(await page.getByTestId('proxy-setting').textContent()).toBe('Direct connection to the gateway (no proxy).');
    await screenshot(page, 'settings-metrics');

    await field.fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => status.textContent(), WAIT).toBe('Off.');
    await expect(fetch(url)).rejects.toThrow();
    expect(errors).toEqual([]);
  });
});

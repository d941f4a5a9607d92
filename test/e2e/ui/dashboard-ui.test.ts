/**
 * The UI in a real browser (Debian's Chromium), served by the real dashboard server on the host
 * with the real engine, in process. Needs the built renderer (`npm test` builds first).
 *
 * This is the first run (no configuration). The agent online through a real gateway, run as
 * `cluvio-agent --dashboard`, is dashboard-online.test.ts; 1,000 streams, streams-1000.test.ts.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AgentFixture, startAgentFixture } from './support/agent-fixture.js';
import { dropFile, launchChromium, screenshot } from './support/chromium.js';
import { closedLoopbackPort, offlineConfig } from '../../unit/host/support/offline-config.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { parseAgentConfig } from '../../../src/tunnel/config/index.js';

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(path.resolve('dist', 'renderer', 'index.html')))
    throw new Error('dist/renderer is missing: run npm run build first');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
});

describe('dashboard UI, first run (no configuration)', () => {
  let agent: AgentFixture;
  let page: Page;
  const pageErrors: string[] = [];

  beforeEach(async () => {
    agent = await startAgentFixture();
    page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
    pageErrors.length = 0;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  afterEach(async () => {
    await page.close();
    await agent.close();
    expect(pageErrors).toEqual([]);
  });

  it('without the token the dashboard shows nothing of the agent', async () => {
    const origin = new URL(agent.url).origin;
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(403);
    expect(await page.textContent('body')).toContain('token');
    expect(await page.locator('#root').count()).toBe(0);
    pageErrors.length = 0; // the 403 itself is logged as a console error
  });

  it('opens on the import view, says the agent is not configured and where the file will go', async () => {
    await page.goto(agent.url);
    await expect.poll(() => page.getByTestId('state-badge').textContent()).toBe('Not configured');
    expect(await page.getByRole('tab', { name: 'Import' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('heading', { name: 'Import configuration' }).waitFor();
    expect(await page.getByTestId('config-target').textContent()).toBe(agent.configTarget);
    expect(await page.getByRole('button', { name: 'Choose file…' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Configuration file').count()).toBe(1);
    await screenshot(page, 'first-run-import-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'first-run-import-dark');
  });

  it('is usable from the keyboard: arrow keys move between views, focus follows, controls are labelled', async () => {
    await page.goto(agent.url);
    await page.getByRole('tab', { name: 'Import' }).focus();
    await page.keyboard.press('ArrowRight');
    const settings = page.getByRole('tab', { name: 'Settings' });
    expect(await settings.getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe(await settings.getAttribute('id'));
    await page.keyboard.press('Home');
    expect(await page.getByRole('tab', { name: 'Status' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('heading', { name: 'Status' }).waitFor();
    await page.keyboard.press('End');
    expect(await settings.getAttribute('aria-selected')).toBe('true');

    // Settings: every control has an accessible name; Tab reaches the address field and Enter submits.
    expect(await page.getByLabel('Start Cluvio Agent when I log in').isDisabled()).toBe(true);
    const address = page.getByLabel('Database address');
    await address.focus();
    await page.keyboard.type('db.internal:5432');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('address-test-result').textContent())
      .toContain('No configuration is loaded');
    await screenshot(page, 'settings-keyboard');
  });

  it('settings say what the headless host cannot do and where the configuration lives', async () => {
    await page.goto(`${agent.url}#settings`);
    await page.getByText('Not available here').waitFor();
    await page.getByRole('button', { name: 'Open configuration folder' }).click();
    await expect
      .poll(() => page.getByTestId('config-folder').textContent())
      .toContain(path.dirname(agent.configTarget));
    await page.getByLabel('Database address').fill('db.internal:99999');
    await page.getByRole('button', { name: 'Test' }).click();
    await expect.poll(() => page.getByTestId('address-test-result').textContent()).toContain('out of range');
  });

  it('logs view shows the host log live and the level filter hides lines below it', async () => {
    await page.goto(`${agent.url}#logs`);
    const lines = page.getByTestId('log-line');
    await expect.poll(() => lines.count()).toBeGreaterThan(0);
    expect(await lines.first().textContent()).toContain('no configuration file found');
    await page.getByLabel('Show').selectOption('warn');
    await expect.poll(() => lines.count()).toBe(0);
    await page.getByLabel('Show').selectOption('info');
    await page.getByLabel('Search').fill('does-not-occur');
    await expect.poll(() => lines.count()).toBe(0);
    await page.getByLabel('Search').fill('configuration');
    await expect.poll(() => lines.count()).toBe(1);
    await screenshot(page, 'logs');
  });

  it('dropping a broken cluvio-agent.toml shows the error naming the key and the fix, and writes nothing', async () => {
    await page.goto(agent.url);
    const key = SecretKey.generate().exportBase64url();
    await dropFile(
      page,
      '[data-testid="drop-zone"]',
      'cluvio-agent.toml',
      `secret-key = "${key}"\n[server]\nhost = "10.0.0.1"\n`,
    );
    const problem = page.getByTestId('import-problem');
    await problem.waitFor();
    expect(await problem.locator('.problem-key').textContent()).toBe('server.host');
    expect(await problem.textContent()).toContain('not a DNS name');
    expect(await problem.locator('.problem-value').textContent()).toBe('"10.0.0.1"');
    expect(await problem.textContent()).toContain(
      "Download this agent's configuration (cluvio-agent.toml) from Cluvio again",
    );
    expect(await page.content()).not.toContain(key);
    expect(existsSync(agent.configTarget)).toBe(false);
    await screenshot(page, 'import-broken');
  });

  it('the file picker reports a TOML syntax error with its line', async () => {
    await page.goto(agent.url);
    await page
      .getByLabel('Configuration file')
      .setInputFiles({ name: 'agent.toml', mimeType: 'application/toml', buffer: Buffer.from('secret-key = = 1\n') });
    await expect.poll(() => page.getByTestId('import-problem').textContent()).toContain('TOML parse error at line 1');
  });

  it('dropping a valid file writes it owner-only, keeps the previous one as an owner-only backup, and shows the agent ID', async () => {
    await page.goto(agent.url);
    await writeFile(agent.configTarget, '# the previous configuration\n', { mode: 0o644 });
    // A gateway that refuses connections (localhost, nothing listening): the agent keeps trying.
    const gatewayPort = await closedLoopbackPort();
    const text = offlineConfig(gatewayPort, SecretKey.generate().exportBase64url(), '127.0.0.1/32');
    const agentId = parseAgentConfig(text, { file: null, env: {} }).agentId;
    await dropFile(page, 'body', 'cluvio-agent (1).toml', text);
    // The gateway refuses connections: saved, and said so (the agent keeps trying).
    const outcome = page.getByTestId('import-outcome');
    await expect.poll(() => outcome.getAttribute('data-status')).toBe('unreachable');
    expect(await outcome.textContent()).toContain(agentId);
    expect(await outcome.textContent()).toContain('cannot be reached yet');

    expect(await readFile(agent.configTarget, 'utf8')).toBe(text);
    expect((await stat(agent.configTarget)).mode & 0o777).toBe(0o600);
    const backups = (await readdir(path.dirname(agent.configTarget))).filter((name) => name.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    const backup = path.join(path.dirname(agent.configTarget), backups[0] ?? '');
    expect(await readFile(backup, 'utf8')).toBe('# the previous configuration\n');
    expect((await stat(backup)).mode & 0o777).toBe(0o600);
    await screenshot(page, 'import-valid');

    await page.getByRole('tab', { name: 'Status' }).click();
    await expect.poll(() => page.getByTestId('agent-id').textContent()).toBe(agentId);
    expect(await page.getByTestId('server').textContent()).toBe(`localhost:${gatewayPort}`);
    await expect
      .poll(() => page.getByRole('banner').getByTestId('state-badge').getAttribute('data-phase'), { timeout: 30_000 })
      .toMatch(/^(connecting|backing-off)$/);
    expect(await page.content()).not.toContain(text.slice(14, 57));
  });

  it('the log viewer window shows the logs alone, without the view tabs', async () => {
    await page.goto(`${agent.url}#logs-window`);
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    expect(await page.getByRole('tablist').count()).toBe(0);
    await expect.poll(() => page.getByTestId('log-line').count()).toBeGreaterThan(0);
  });

  it('says so when the agent process goes away', async () => {
    await page.goto(agent.url);
    await page.getByTestId('state-badge').waitFor();
    expect(await page.getByTestId('connection-lost').count()).toBe(0);
    await agent.stopDashboard();
    await page.getByRole('alert').filter({ hasText: 'Lost the connection to the agent' }).waitFor();
    await screenshot(page, 'connection-lost');
    pageErrors.length = 0; // the refused reconnects are logged as console errors
  });
});

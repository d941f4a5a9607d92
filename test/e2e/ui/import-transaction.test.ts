/**
 * Importing a configuration never locks the user out (issue 18), in a real browser against
 * `cluvio-agent --dashboard -c <file>` spawned from the build, connected over TLS to a real
 * gateway with the embedded PostgreSQL behind it. Needs `npm run build` first.
 *
 * Every wait is for something the user would see; nothing asserts how long it took.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Locator, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../../../src/shared/agent-state.js';
import { generateKeyPair, type KeyPair } from '../../../src/tunnel/auth/index.js';
import { closedLoopbackPort, offlineConfig } from '../../unit/host/support/offline-config.js';
import { dashboardCall } from './support/cli-process.js';
import { dropFile, screenshot } from './support/chromium.js';
import { useOnlineBed } from './support/online-bed.js';
import { type DashboardAgent, startDashboardAgent } from './support/dashboard-agent.js';

const WAIT = { timeout: 30_000, interval: 50 };

const online = useOnlineBed();

/** Drops a file made in the page from base64 bytes, or `size` zero bytes (never sent through the test's own memory twice). */
async function dropBytes(
  page: Page,
  fileName: string,
  content: { readonly base64: string } | { readonly size: number },
): Promise<void> {
  const make =
    'base64' in content
      ? `Uint8Array.from(atob(${JSON.stringify(content.base64)}), (c) => c.charCodeAt(0))`
      : `new Uint8Array(${content.size})`;
  const dataTransfer = await page.evaluateHandle(
    `(() => { const t = new DataTransfer(); t.items.add(new File([${make}], ${JSON.stringify(fileName)})); return t; })()`,
  );
  const zone = '[data-testid="drop-zone"]';
  await page.dispatchEvent(zone, 'dragover', { dataTransfer });
  await page.dispatchEvent(zone, 'drop', { dataTransfer });
  await dataTransfer.dispose();
}

describe('importing through the dashboard of cluvio-agent --dashboard, online through a real gateway', () => {
  let keys: KeyPair;
  let working: string;
  let agent: DashboardAgent;
  let page: Page;
  const pageErrors: string[] = [];
  /** Every importConfig request the page sent. */
  const uploads: string[] = [];

  beforeEach(async () => {
    keys = online.fixture.addAgent();
    working = online.fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] });
    agent = await startDashboardAgent(working);
    page = await online.browser.newPage({ viewport: { width: 1100, height: 800 } });
    pageErrors.length = 0;
    uploads.length = 0;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('request', (request) => {
      if (request.url().endsWith('/api/call/importConfig')) uploads.push(request.postData() ?? '');
    });
    await page.goto(agent.url);
    await expect.poll(() => badge().textContent(), WAIT).toBe('Online');
  });

  afterEach(async () => {
    await page.close();
    const exit = await agent.close();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(pageErrors).toEqual([]);
  });

  const badge = (): Locator => page.getByRole('banner').getByTestId('state-badge');
  const backups = async (): Promise<string[]> =>
    (await readdir(path.dirname(agent.configPath))).filter((name) => name.endsWith('.bak'));
  const outcome = (): Locator => page.getByTestId('import-outcome');

  it('a file whose key the gateway does not know: rolled back, online again on the previous configuration, the message shown, the dashboard still serving', async () => {
    await page.getByRole('tab', { name: 'Import' }).click();
    const stranger = generateKeyPair(); // the file of another agent, a deleted one, an old download
    await dropFile(
      page,
      '[data-testid="drop-zone"]',
      'cluvio-agent (3).toml',
      online.fixture.agentConfigToml(stranger),
    );
    await expect.poll(() => outcome().getAttribute('data-status'), WAIT).toBe('rolled-back');
    const said = (await outcome().textContent()) ?? '';
    expect(said).toContain("The gateway does not know this agent's key (Unauthorized)");
    expect(said).toContain(`The previous configuration (agent ${keys.agentId}`);
    expect(said).toContain("Download this agent's configuration (cluvio-agent.toml) from Cluvio again and import it.");
    await screenshot(page, 'import-rolled-back');

    // The previous file is back, no backup of it left behind, and the agent is online on it.
    expect(await readFile(agent.configPath, 'utf8')).toBe(working);
    expect(await backups()).toEqual([]);
    await page.getByRole('tab', { name: 'Status' }).click();
    await expect.poll(() => badge().textContent(), WAIT).toBe('Online');
    expect(await page.getByTestId('agent-id').textContent()).toBe(keys.agentId);
    expect((await online.fixture.gateway.waitForAgent(keys.agentId)).phase).toBe('accepted');
    expect(await page.getByTestId('config-notice').getAttribute('data-status')).toBe('rolled-back');
    await screenshot(page, 'import-rolled-back-status');

    // It works: a query through the gateway reaches PostgreSQL.
    const route = await online.fixture.gateway.openRoute({
      agentId: keys.agentId,
      target: `127.0.0.1:${online.database.port}`,
    });
    const client = new pg.Client({
      host: '127.0.0.1',
      port: route.port,
      user: online.database.user,
      database: online.database.database,
    });
    try {
      await client.connect();
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end().catch(() => undefined);
      await route.close();
    }
    // The process never exited, and the terminal said what happened.
    expect(agent.process.child.exitCode).toBeNull();
    await agent.process.waitForLine(/ WARN cluvio_agent_desktop::host: configuration rolled back /);
    expect(agent.process.stdout() + agent.process.stderr()).not.toContain(stranger.secretKey.exportBase64url());
  });

  it('a gateway that cannot be reached: kept and said so; "Restore previous configuration" shows what it changes and goes back', async () => {
    await page.getByRole('tab', { name: 'Import' }).click();
    const port = await closedLoopbackPort();
    const text = offlineConfig(port, undefined, '10.0.0.0/8');
    await dropFile(page, '[data-testid="drop-zone"]', 'offline.toml', text);
    await expect.poll(() => outcome().getAttribute('data-status'), WAIT).toBe('unreachable');
    expect(await outcome().textContent()).toContain(`the gateway localhost:${port} cannot be reached yet`);
    expect(await readFile(agent.configPath, 'utf8')).toBe(text);
    const previous = page.getByTestId('previous-config');
    await previous.waitFor();
    const changes = (await page.getByTestId('previous-difference').locator('li').allTextContents()).join('\n');
    expect(changes).toContain(`Gateway: localhost:${port} → localhost:${online.fixture.port}`);
    expect(changes).toContain(`→ ${keys.agentId} (another agent in Cluvio)`);
    expect(changes).toContain('Allowed addresses added: 127.0.0.1/32');
    expect(changes).toContain('Allowed addresses removed: 10.0.0.0/8');
    await screenshot(page, 'import-unreachable-restore-offered');

    await previous.getByRole('button', { name: 'Restore previous configuration' }).click();
    // Confirmed by the gateway: the window shows Status, the connection confirmed.
    await expect.poll(() => page.getByRole('tab', { name: 'Status' }).getAttribute('aria-selected'), WAIT).toBe('true');
    const notice = page.getByTestId('config-notice');
    expect(await notice.getAttribute('data-status')).toBe('confirmed');
    expect(await notice.textContent()).toContain(
      `Restored the previous configuration: the gateway localhost:${online.fixture.port} accepted agent ${keys.agentId}. Connected.`,
    );
    expect(await badge().textContent()).toBe('Online');
    expect(await readFile(agent.configPath, 'utf8')).toBe(working);
    await screenshot(page, 'restore-previous-confirmed');
  });

  it('a file with five mistakes: all five listed at once, each with its key, value and fix; nothing written', async () => {
    await page.getByRole('tab', { name: 'Import' }).click();
    const secret = generateKeyPair().secretKey.exportBase64url();
    const text = [
      `secret-key = "${secret.slice(0, 30)}"`,
      'connect-timeout = "30"',
      'allowed-addresses = ["10.0.0.0/8", "10.0.0.1", "*.*.com"]',
      '[server]',
      'host = "10.1.2.3"',
      '',
    ].join('\n');
    await dropFile(page, '[data-testid="drop-zone"]', 'five.toml', text);
    const problems = page.getByTestId('import-problem');
    await expect.poll(() => problems.count(), WAIT).toBe(5);
    expect(await problems.locator('.problem-key').allTextContents()).toEqual([
      'secret-key',
      'connect-timeout',
      'allowed-addresses[1]',
      'allowed-addresses[2]',
      'server.host',
    ]);
    expect(await problems.locator('.problem-value').allTextContents()).toEqual([
      '30 characters (not shown)',
      '"30"',
      '"10.0.0.1"',
      '"*.*.com"',
      '"10.1.2.3"',
    ]);
    expect(await problems.nth(2).locator('.problem-fix').textContent()).toBe('Write it as "10.0.0.1/32".');
    const shown = (await page.getByTestId('import-problems').textContent()) ?? '';
    expect(shown).toContain('5 problems');
    // No raw markup, no advice to make up a key, never the key itself.
    expect(shown).not.toMatch(/`|gen-keypair/);
    expect(await page.content()).not.toContain(secret.slice(0, 30));
    expect(await readFile(agent.configPath, 'utf8')).toBe(working);
    expect(await backups()).toEqual([]);
    await screenshot(page, 'import-five-errors');
  });

  it('an empty file, a binary file and a 5 MB file: each says what it is, checked in the browser before anything is uploaded', async () => {
    await page.getByRole('tab', { name: 'Import' }).click();
    const problem = page.getByTestId('import-problem');

    await dropBytes(page, 'empty.toml', { base64: '' });
    await expect.poll(() => problem.textContent(), WAIT).toContain('The file is empty.');
    await screenshot(page, 'import-empty');

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    await dropBytes(page, 'logo.png', { base64: png.toString('base64') });
    await expect.poll(() => problem.textContent(), WAIT).toContain('This is not a text file');

    await dropBytes(page, 'huge.toml', { size: 5 * 1024 * 1024 });
    await expect
      .poll(() => problem.textContent(), WAIT)
      .toContain('The file is 5 MiB: a configuration file is at most 1 MiB');
    await screenshot(page, 'import-oversized');
    expect(uploads).toEqual([]);
    expect(await readFile(agent.configPath, 'utf8')).toBe(working);
  });

  it('the same file again: "already in use", nothing written, no backup, no reconnect', async () => {
    const before = (await dashboardCall(agent.url, 'getSnapshot')) as AgentSnapshot;
    await page.getByRole('tab', { name: 'Import' }).click();
    await dropFile(page, '[data-testid="drop-zone"]', 'cluvio-agent.toml', working);
    await expect.poll(() => outcome().getAttribute('data-status'), WAIT).toBe('unchanged');
    expect(await outcome().textContent()).toContain('cluvio-agent.toml is already in use');
    expect(await backups()).toEqual([]);
    const after = (await dashboardCall(agent.url, 'getSnapshot')) as AgentSnapshot;
    expect(after.counters.connectedSince).toBe(before.counters.connectedSince);
    expect(after.state.phase).toBe('online');
    await screenshot(page, 'import-unchanged');
  });

  it('backups: at most five, owner-only, none for a file dropped twice', async () => {
    await page.getByRole('tab', { name: 'Import' }).click();
    const port = await closedLoopbackPort();
    const texts = Array.from({ length: 7 }, () => offlineConfig(port));
    for (const [index, text] of texts.entries()) {
      await dropFile(page, '[data-testid="drop-zone"]', `agent-${index}.toml`, text);
      await expect
        .poll(async () => (await outcome().textContent()) ?? '', WAIT)
        .toContain(`Imported agent-${index}.toml: saved; the gateway`);
    }
    const names = await backups();
    expect(names).toHaveLength(5);
    for (const name of names)
      expect((await stat(path.join(path.dirname(agent.configPath), name))).mode & 0o777).toBe(0o600);
    const kept = await Promise.all(
      names.map((name) => readFile(path.join(path.dirname(agent.configPath), name), 'utf8')),
    );
    expect(kept.sort()).toEqual(texts.slice(1, 6).sort());
    // The last one again: already in use, no sixth backup.
    await dropFile(page, '[data-testid="drop-zone"]', 'agent-6.toml', texts[6] ?? '');
    await expect.poll(() => outcome().getAttribute('data-status'), WAIT).toBe('unchanged');
    expect(await backups()).toHaveLength(5);
  });

  it('stopped by the gateway: the dashboard stays up, says why and what to do, and offers import and restore', async () => {
    // Another agent first, so that there is a previous configuration to go back to.
    const next = online.fixture.addAgent();
    await dropFile(
      page,
      'body',
      'next.toml',
      online.fixture.agentConfigToml(next, { allowedAddresses: ['127.0.0.1/32'] }),
    );
    await expect.poll(() => page.getByTestId('config-notice').getAttribute('data-status'), WAIT).toBe('confirmed');
    online.fixture.gateway.terminate(next.agentId, 'Unauthorized');
    const notice = page.getByTestId('config-notice');
    await expect.poll(() => notice.getAttribute('data-status'), WAIT).toBe('stopped');
    expect(await badge().textContent()).toBe('Stopped by the gateway');
    expect(await notice.textContent()).toContain("The gateway does not know this agent's key (Unauthorized)");
    expect(await notice.getByRole('button', { name: 'Import configuration…' }).isVisible()).toBe(true);
    await screenshot(page, 'stopped-by-gateway');
    expect(agent.process.child.exitCode).toBeNull();
    await agent.process.waitForLine(/^agent was terminated by gateway: unauthorized agent$/);

    await notice.getByRole('button', { name: 'Restore previous configuration' }).click();
    await expect.poll(() => page.getByTestId('agent-id').textContent(), WAIT).toBe(keys.agentId);
    await expect.poll(() => badge().textContent(), WAIT).toBe('Online');
    expect(await readFile(agent.configPath, 'utf8')).toBe(working);
  });
});

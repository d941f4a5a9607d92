/**
 * The dashboard in a real browser (Debian's Chromium) against a real agent: `cluvio-agent
 * --dashboard -c <file>` spawned from the build as a user runs it, connected over TLS to a real
 * gateway (startGatewayFixture), with the embedded PostgreSQL as the database behind it and the
 * `pg` client querying through a gateway route. Needs `npm run build` first.
 *
 * Every wait is for a condition the user would see; nothing asserts how long it took.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Locator, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { dropFile, screenshot } from './support/chromium.js';
import { useOnlineBed } from './support/online-bed.js';
import { type DashboardAgent, startDashboardAgent } from './support/dashboard-agent.js';

const WAIT = { timeout: 30_000, interval: 50 };

const online = useOnlineBed();

const UNITS: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** The number of bytes a cell like `12.3 KiB` shows. */
function shownBytes(text: string | null): number {
  const match = /^([0-9.]+) (B|KiB|MiB|GiB)$/.exec((text ?? '').trim());
  if (match === null) throw new Error(`not a byte count: ${text ?? 'null'}`);
  return Number(match[1]) * (UNITS[match[2] ?? 'B'] ?? 1);
}

describe('dashboard of cluvio-agent --dashboard, online through a real gateway to PostgreSQL', () => {
  let keys: KeyPair;
  let agent: DashboardAgent;
  let page: Page;
  const pageErrors: string[] = [];

  beforeEach(async () => {
    keys = online.fixture.addAgent();
    agent = await startDashboardAgent(online.fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }));
    page = await online.browser.newPage({ viewport: { width: 1100, height: 720 } });
    pageErrors.length = 0;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  afterEach(async () => {
    await page.close();
    const exit = await agent.close();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(pageErrors).toEqual([]);
  });

  // The header's badge (the Status view repeats it).
  const badge = (): Locator => page.getByRole('banner').getByTestId('state-badge');

  it('shows Online with the agent ID of its configuration file and the gateway it is connected to', async () => {
    await page.goto(agent.url);
    await expect.poll(() => badge().textContent(), WAIT).toBe('Online');
    expect(await page.getByTestId('agent-id').textContent()).toBe(keys.agentId);
    expect(await page.getByTestId('server').textContent()).toBe(`localhost:${online.fixture.port}`);
    expect(await page.getByText(agent.configPath).count()).toBe(1);
    // The gateway agrees: this agent, accepted.
    expect((await online.fixture.gateway.waitForAgent(keys.agentId)).phase).toBe('accepted');
    await screenshot(page, 'online-status');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'online-status-dark');
  });

  it('a query through the tunnel shows as a stream whose received bytes count up while the connection is open, then as closed', async () => {
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
      await page.goto(`${agent.url}#streams`);
      // The route needs the agent connected (as Cluvio does: it queries through online agents).
      await online.fixture.gateway.waitForAgent(keys.agentId);
      await client.connect();
      await client.query('BEGIN');
      const target = `127.0.0.1:${online.database.port}`;
      const row = page.getByTestId('stream-row').filter({ hasText: target });
      await row.waitFor();
      expect(await row.locator('td').nth(1).textContent()).toBe(target);
      await expect.poll(() => row.locator('td').last().textContent(), WAIT).toBe('Open');

      // Each result comes back through the same open stream: the Received column counts up.
      let received = shownBytes(await row.locator('td').nth(3).textContent());
      for (const rows of [100, 300, 600]) {
        const result = await client.query<{ chunk: string }>(
          `SELECT repeat('x', 1000) AS chunk FROM generate_series(1, ${rows})`,
        );
        expect(result.rows).toHaveLength(rows);
        const before = received;
        await expect
          .poll(async () => shownBytes(await row.locator('td').nth(3).textContent()), WAIT)
          .toBeGreaterThan(before + rows * 900);
        received = shownBytes(await row.locator('td').nth(3).textContent());
        if (rows === 300) await screenshot(page, 'streams-live');
      }
      expect(await page.getByTestId('streams-open').textContent()).toBe('1 open');
      expect(await page.getByTestId('streams-closed').textContent()).toBe('0 recently closed');
      expect(shownBytes(await row.locator('td').nth(2).textContent())).toBeGreaterThan(0);

      await client.query('COMMIT');
      await client.end();
      await expect.poll(() => row.locator('td').last().textContent(), WAIT).toBe('Closed');
      await expect.poll(() => page.getByTestId('streams-open').textContent(), WAIT).toBe('0 open');
      expect(await page.getByTestId('streams-closed').textContent()).toBe('1 recently closed');
    } finally {
      await client.end().catch(() => undefined);
      await route.close();
    }
  });

  it('log lines appear live, and the level filter hides debug lines', async () => {
    await page.goto(`${agent.url}#logs`);
    const lines = page.getByTestId('log-line');
    const debugLines = page.locator('[data-testid="log-line"][data-level="debug"]');
    await page.getByLabel('Show').selectOption('debug');
    await expect.poll(() => debugLines.count(), WAIT).toBeGreaterThan(0);
    await lines
      .filter({ hasText: 'up and running' })
      .filter({ hasText: `agent ${keys.agentId}` })
      .waitFor();

    // A new stream logs while the page is open: the line arrives without a reload.
    await page.getByLabel('Search').fill('new inbound stream');
    expect(await lines.count()).toBe(0);
    const stream = await online.fixture.gateway.openStream(keys.agentId, `127.0.0.1:${online.database.port}`);
    await expect.poll(() => lines.count(), WAIT).toBeGreaterThan(0);
    expect(await lines.first().getAttribute('data-level')).toBe('debug');
    stream.destroy();
    await page.getByLabel('Search').fill('');
    await screenshot(page, 'logs-online-debug');

    await page.getByLabel('Show').selectOption('info');
    await expect.poll(() => debugLines.count(), WAIT).toBe(0);
    expect(await lines.count()).toBeGreaterThan(0);
    await lines
      .filter({ hasText: 'up and running' })
      .filter({ hasText: `agent ${keys.agentId}` })
      .waitFor();
    await screenshot(page, 'logs-online-info');
  });

  it('dropping a broken cluvio-agent.toml shows the error naming the key; nothing is written and the agent stays online', async () => {
    await page.goto(agent.url);
    await expect.poll(() => badge().textContent(), WAIT).toBe('Online');
    const before = await readFile(agent.configPath, 'utf8');
    const broken = online.fixture.agentConfigToml(online.fixture.addAgent(), {
      allowedAddresses: ['127.0.0.1/32', '10.0.0.0/33'],
    });
    await dropFile(page, 'body', 'cluvio-agent.toml', broken);
    const problem = page.getByTestId('import-problem');
    await problem.waitFor();
    expect(await problem.locator('.problem-key').textContent()).toBe('allowed-addresses[1]');
    expect(await problem.textContent()).toContain('10.0.0.0/33');
    await screenshot(page, 'online-import-broken');
    expect(await readFile(agent.configPath, 'utf8')).toBe(before);
    expect((await readdir(path.dirname(agent.configPath))).filter((name) => name.endsWith('.bak'))).toEqual([]);
    await page.getByRole('tab', { name: 'Status' }).click();
    expect(await badge().textContent()).toBe('Online');
    expect(await page.getByTestId('agent-id').textContent()).toBe(keys.agentId);
  });

  it('dropping a valid file writes it owner-only with an owner-only backup, and the agent restarts on it: Online again as the new agent', async () => {
    await page.goto(agent.url);
    await expect.poll(() => badge().textContent(), WAIT).toBe('Online');
    const previous = await readFile(agent.configPath, 'utf8');
    const next = online.fixture.addAgent();
    const text = online.fixture.agentConfigToml(next, { allowedAddresses: ['127.0.0.1/32'] });

    await dropFile(page, 'body', 'cluvio-agent (1).toml', text);
    // Once the gateway has accepted the new agent the window shows Status, the connection confirmed.
    const notice = page.getByTestId('config-notice');
    await expect.poll(() => notice.getAttribute('data-status'), WAIT).toBe('confirmed');
    expect(await page.getByRole('tab', { name: 'Status' }).getAttribute('aria-selected')).toBe('true');
    expect(await notice.textContent()).toContain(`accepted agent ${next.agentId}. Connected.`);
    expect(await readFile(agent.configPath, 'utf8')).toBe(text);
    expect((await stat(agent.configPath)).mode & 0o777).toBe(0o600);
    const backups = (await readdir(path.dirname(agent.configPath))).filter((name) => name.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    const backup = path.join(path.dirname(agent.configPath), backups[0] ?? '');
    expect(await readFile(backup, 'utf8')).toBe(previous);
    expect((await stat(backup)).mode & 0o777).toBe(0o600);
    await screenshot(page, 'online-import-valid');

    expect(await page.getByTestId('agent-id').textContent()).toBe(next.agentId);
    expect(await badge().textContent()).toBe('Online');
    expect((await online.fixture.gateway.waitForAgent(next.agentId)).phase).toBe('accepted');
    await expect
      .poll(() => online.fixture.gateway.agents().find((a) => a.id === keys.agentId)?.online, WAIT)
      .toBe(false);
    await screenshot(page, 'online-after-import');
    // The terminal says so too, and never shows either key.
    await agent.process.waitForLine(/ INFO cluvio_agent_desktop::host: configuration imported path=/);
    await agent.process.waitForLine(new RegExp(`up and running agent=${next.agentId}`));
    for (const pair of [keys, next])
      expect(agent.process.stdout() + agent.process.stderr()).not.toContain(pair.secretKey.exportBase64url());
    expect(await page.content()).not.toContain(next.secretKey.exportBase64url());
  });
});

/**
 * Status, Streams, Logs and Diagnose as a user meets them, in a real browser (the Chromium npm
 * installs) against `cluvio-agent --dashboard` spawned from the build, connected over TLS to a
 * real gateway with the embedded PostgreSQL behind it. Needs `npm run build` first.
 *
 * Screenshots of each view at 1280 and 800 px wide (streams also at 640, the app's minimum) are
 * kept in test-results/ui/ as `<view>-<width>.png`.
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { Locator, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { closedLoopbackPort } from '../../support/loopback.js';
import { readSupportBundle } from '../../support/support-bundle.js';
import { screenshot } from './support/chromium.js';
import { useOnlineBed } from './support/online-bed.js';
import { type DashboardAgent, startDashboardAgent } from './support/dashboard-agent.js';
import {
  box,
  type CheckedPage,
  computedStyle,
  MINIMUM_WIDTH,
  newCheckedPage,
  overflowsSideways,
  screenshotWidths,
} from './support/views.js';

const WAIT = { timeout: 30_000, interval: 50 };

const online = useOnlineBed();

describe('views of cluvio-agent --dashboard, online through a real gateway to PostgreSQL', () => {
  let keys: KeyPair;
  let agent: DashboardAgent;
  let checked: CheckedPage;
  let page: Page;
  const clients: pg.Client[] = [];
  const routes: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    keys = online.fixture.addAgent();
    agent = await startDashboardAgent(
      online.fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32', 'db.internal'] }),
    );
    checked = await newCheckedPage(online.browser, { width: 1280, height: 800 }, true);
    page = checked.page;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    for (const route of routes.splice(0)) await route.close();
    await checked.context.close();
    expect(await agent.close()).toEqual({ code: 0, signal: null });
    expect(checked.errors).toEqual([]);
  });

  /** A PostgreSQL client connected through a gateway route, i.e. one stream through the agent. */
  async function databaseClient(): Promise<pg.Client> {
    await online.fixture.gateway.waitForAgent(keys.agentId);
    const route = await online.fixture.gateway.openRoute({
      agentId: keys.agentId,
      target: `127.0.0.1:${online.database.port}`,
    });
    routes.push(route);
    const client = new pg.Client({
      host: '127.0.0.1',
      port: route.port,
      user: online.database.user,
      database: online.database.database,
    });
    await client.connect();
    clients.push(client);
    return client;
  }

  const badge = (): Locator => page.getByRole('banner').getByTestId('state-badge');
  const tab = (name: string): Locator => page.getByRole('tab', { name });

  it('Status: the state in the title and the favicon, the allowed addresses, and a chart that moves with the traffic', async () => {
    await page.goto(agent.url);
    await expect.poll(() => badge().textContent(), WAIT).toBe('Online');
    await expect.poll(() => page.title(), WAIT).toBe('Online · Cluvio Agent');
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('./favicon-online.svg');
    const allowed = page.getByTestId('allowed-addresses').getByRole('listitem');
    expect(await allowed.allTextContents()).toEqual(['127.0.0.1/32', 'db.internal']);
    expect(await page.getByRole('button', { name: 'Reconnect now' }).count()).toBe(0);

    // The chart gets a sample every 2 s; a query's result shows as traffic from the databases.
    const chart = page.getByTestId('traffic-chart');
    const points = async (): Promise<number> => Number(await chart.getAttribute('data-points'));
    await expect.poll(points, WAIT).toBeGreaterThan(0);
    expect(await page.getByTestId('traffic-summary').textContent()).toContain('Nothing moved');
    const before = await points();
    const client = await databaseClient();
    await client.query(`SELECT repeat('x', 1000) FROM generate_series(1, 3000)`);
    await expect.poll(points, WAIT).toBeGreaterThan(before + 1);
    await expect
      .poll(() => page.getByTestId('traffic-summary').textContent(), WAIT)
      .toMatch(
        /Busiest in the last 10 minutes: [0-9.]+ (B|KiB)\/s to, [0-9.]+ (KiB|MiB)\/s from databases, 1 open stream/,
      );
    expect(await chart.getAttribute('aria-label')).toContain('Busiest in the last 10 minutes');
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    await screenshotWidths(page, 'status');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshotWidths(page, 'status-dark');
  });

  it('Streams: totals, sort, filters, failed streams with their error and fix, ids that open their log lines, usable by keyboard at 640 px', async () => {
    const client = await databaseClient();
    await client.query('SELECT 1');
    const closedPort = await closedLoopbackPort();
    // One refused by the allowlist, one whose database refuses the connection.
    await online.fixture.gateway.openStream(keys.agentId, '10.9.8.7:5432').catch(() => undefined);
    await online.fixture.gateway.openStream(keys.agentId, `127.0.0.1:${closedPort}`).catch(() => undefined);
    const second = await databaseClient();
    await second.query('BEGIN');

    await page.goto(`${agent.url}#streams`);
    const rows = page.getByTestId('stream-row');
    await expect.poll(() => rows.count(), WAIT).toBe(4);
    expect(await page.getByTestId('streams-open').textContent()).toBe('2 open');
    expect(await page.getByTestId('streams-summary').textContent()).toContain('2 failed');

    // Failed streams look different and say so.
    const failed = page.locator('[data-testid="stream-row"][data-failed="true"]');
    expect(await failed.count()).toBe(2);
    expect(await failed.first().locator('.state-failed').textContent()).toBe('Failed');
    const failedBackground = await computedStyle(failed.first().locator('td').nth(1), 'background-color');
    const okBackground = await computedStyle(
      page.locator('[data-testid="stream-row"][data-failed="false"]').first().locator('td').nth(1),
      'background-color',
    );
    expect(failedBackground).not.toBe(okBackground);

    // Only failed: the first is shown in full, with its cause and its fix.
    await page.getByLabel('Only failed').check();
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    await page
      .getByTestId('stream-row')
      .filter({ hasText: `127.0.0.1:${closedPort}` })
      .click();
    const details = page.getByTestId('stream-details');
    expect(await details.getByTestId('stream-error').textContent()).toContain('the connection was refused');
    expect(await details.getByTestId('stream-error').textContent()).toContain('ECONNREFUSED');
    expect(await details.getByTestId('stream-fix').textContent()).toBe(
      'Nothing accepts connections on that port: check the port and that the database runs and listens on this interface.',
    );
    await page.getByTestId('stream-row').filter({ hasText: '10.9.8.7:5432' }).click();
    expect(await details.getByTestId('stream-fix').textContent()).toBe(
      'Add it to allowed-addresses (e.g. "10.9.8.7/32") if Cluvio should reach it.',
    );
    await screenshotWidths(page, 'streams-failed');

    // Filters: by target text and by state; kept when coming back to the view.
    await page.getByLabel('Only failed').uncheck();
    await page.getByLabel('Target').fill(String(closedPort));
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    await page.getByLabel('Target').fill('');
    await page.getByLabel('State').selectOption('live');
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    expect(await rows.filter({ hasText: 'Failed' }).count()).toBe(0);
    await tab('Status').click();
    await tab('Streams').click();
    expect(await page.getByLabel('State').inputValue()).toBe('live');
    await page.getByLabel('State').selectOption('all');
    await expect.poll(() => rows.count(), WAIT).toBe(4);

    // Sort by target, both ways.
    const targets = async (): Promise<string[]> => rows.locator('td.col-target').allTextContents();
    await page.getByRole('button', { name: 'Target' }).click();
    const ascending = await targets();
    expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b)));
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Target');
    await page.getByRole('button', { name: 'Target' }).click();
    expect(await targets()).toEqual([...ascending].reverse());

    // The keyboard reaches a stream's id; the details show its whole target; ↓ moves on.
    await page.getByRole('button', { name: 'Target' }).focus();
    let reached = false;
    for (let i = 0; i < 12 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate<boolean>('document.activeElement?.closest("tbody") !== null');
    }
    expect(reached).toBe(true);
    const firstTarget = (await targets())[0] ?? '';
    expect(await details.getByTestId('stream-details-target').textContent()).toContain(firstTarget);
    await page.keyboard.press('ArrowDown');
    const secondTarget = (await targets())[1] ?? '';
    await expect.poll(() => details.getByTestId('stream-details-target').textContent(), WAIT).toContain(secondTarget);

    // 800 and 640 px: no column cut off, nothing to scroll sideways.
    for (const width of [800, MINIMUM_WIDTH]) {
      await page.setViewportSize({ width, height: 600 });
      expect(await overflowsSideways(page.locator('.table-scroller'))).toBe(false);
      expect(await page.locator('th.col-state').isVisible()).toBe(true);
    }
    await screenshot(page, `streams-${MINIMUM_WIDTH}`);
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshotWidths(page, 'streams');

    // A stream's id opens the Logs view on its lines.
    const refused = page.getByTestId('stream-row').filter({ hasText: `127.0.0.1:${closedPort}` });
    await refused.getByRole('button').click();
    expect(await tab('Logs').getAttribute('aria-selected')).toBe('true');
    const search = await page.getByLabel('Search').inputValue();
    expect(search).toMatch(/^[0-9a-f]{16}$/);
    const lines = page.getByTestId('log-line');
    await expect.poll(() => lines.count(), WAIT).toBeGreaterThanOrEqual(2);
    const texts = await lines.allTextContents();
    expect(texts.every((text) => text.includes(search))).toBe(true);
    expect(texts.some((text) => text.includes(`failed to connect to 127.0.0.1:${closedPort}`))).toBe(true);
    await screenshotWidths(page, 'logs-stream');
    // The allowlist's refusal is logged without the id (as the reference logs it): its target is searched.
    await tab('Streams').click();
    await page.getByTestId('stream-row').filter({ hasText: '10.9.8.7:5432' }).getByRole('button').click();
    expect(await page.getByLabel('Search').inputValue()).toBe('10.9.8.7:5432');
    await expect.poll(() => lines.filter({ hasText: 'address not allowed' }).count(), WAIT).toBe(1);
  });

  it('Logs: connection activity by default, fields in words, lines that open with Enter; view and search kept across tabs and reloads', async () => {
    const client = await databaseClient();
    await client.query(`SELECT repeat('x', 1000) FROM generate_series(1, 100)`);
    await client.end();
    await page.goto(`${agent.url}#logs`);
    expect(await page.getByLabel('Show').inputValue()).toBe('activity');
    const lines = page.getByTestId('log-line');
    // Debug-level connection activity shows by default; other debug lines do not.
    const finished = lines.filter({ hasText: 'data transfer finished' });
    await expect.poll(() => finished.count(), WAIT).toBe(1);
    await expect.poll(() => lines.filter({ hasText: 'new inbound stream' }).count(), WAIT).toBe(1);
    expect(await page.locator('[data-testid="log-line"][data-level="trace"]').count()).toBe(0);
    // The reference's debug form (recv=Some(Ok(…)) sent=…) reads as words.
    const fieldsText = (await finished.locator('.log-fields').textContent()) ?? '';
    expect(fieldsText).toMatch(
      /to the database [0-9.]+ (B|KiB) · from the database ([0-9.]+ (KiB|MiB)|not counted \(Cluvio closed first\))/,
    );
    expect(fieldsText).toMatch(/took [0-9.]+ m?s/);
    expect(fieldsText).not.toContain('Some(');
    await screenshotWidths(page, 'logs');

    // Enter opens a line in full (each field on its own line, and the line as the log file has it).
    await finished.focus();
    await page.keyboard.press('Enter');
    expect(await finished.getAttribute('aria-expanded')).toBe('true');
    const detailsText = (await finished.getByTestId('log-details').textContent()) ?? '';
    expect(detailsText).toContain('as in the log file');
    expect(detailsText).toMatch(/recv=Some\(Ok\(\d+\)\)/);
    expect((await box(finished)).height).toBeGreaterThan(22 * 3);
    await screenshotWidths(page, 'logs-expanded');
    await page.keyboard.press('Enter');
    expect(await finished.getAttribute('aria-expanded')).toBe('false');

    // The choice stays: across a tab switch, and after the page (or the app) starts again.
    await page.getByLabel('Show').selectOption('warn');
    await page.getByLabel('Search').fill('configuration');
    await tab('Status').click();
    await tab('Logs').click();
    expect(await page.getByLabel('Show').inputValue()).toBe('warn');
    expect(await page.getByLabel('Search').inputValue()).toBe('configuration');
    await page.reload();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    expect(await page.getByLabel('Show').inputValue()).toBe('warn');
    expect(await page.getByLabel('Search').inputValue()).toBe('configuration');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByLabel('Show').selectOption('activity');
    await page.getByLabel('Search').fill('');
    await screenshotWidths(page, 'logs-dark');
  });

  it('Diagnose: Save support bundle also downloads it to the browser', async () => {
    await page.goto(`${agent.url}#diagnose`);
    await online.fixture.gateway.waitForAgent(keys.agentId);
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Save support bundle' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^cluvio-agent-support-[0-9TZ-]+\.tar\.gz$/);
    const saved = await file.path();
    const bundle = await readSupportBundle(saved);
    expect(Object.keys(bundle.files)).toEqual(expect.arrayContaining(['report.txt', 'report.json', 'system.json']));
    expect(bundle.raw).not.toContain(keys.secretKey.exportBase64url());
    // The same file as on the agent's machine, whose path the page shows.
    const onHost = (await page.getByTestId('support-bundle-path').textContent()) ?? '';
    expect(await readFile(onHost)).toEqual(await readFile(saved));
    expect(await page.getByTestId('support-bundle-download').getAttribute('href')).toBe(
      `api/support-bundle/${file.suggestedFilename()}`,
    );
    await screenshotWidths(page, 'diagnose-bundle');
  });
});

/**
 * Every view, light and dark, through axe-core 4 in a real browser (the Chromium npm installs):
 * no serious or critical violation. Against `cluvio-agent --dashboard` online through a real
 * gateway, with streams in every state (one refused by the allowlist, one whose database refuses)
 * so the failed-row styling and the details are checked too. Also: one main landmark, tabs that
 * keep their place when one becomes bold, and every control of every view reachable with Tab.
 * Screenshots of each view as checked: test-results/ui/view-<view>-<light|dark>-<1280|800>.png.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';
import { closedLoopbackPort } from '../../support/loopback.js';
import { echoTarget, type TargetServer } from '../../unit/agent/support/targets.js';
import { launchChromium } from './support/chromium.js';
import { type DashboardAgent, startDashboardAgent } from './support/dashboard-agent.js';
import { box, type CheckedPage, newCheckedPage, screenshotWidths, seriousAxeViolations } from './support/views.js';

const WAIT = { timeout: 30_000, interval: 50 };
const VIEWS = ['Status', 'Streams', 'Logs', 'Diagnose', 'Import', 'Settings'] as const;

let browser: Browser;
let fixture: GatewayFixture;
let echo: TargetServer;
let keys: KeyPair;
let agent: DashboardAgent;
let checked: CheckedPage;
let page: Page;

beforeAll(async () => {
  if (!existsSync(path.resolve('dist', 'renderer', 'index.html')))
    throw new Error('dist/renderer is missing: run npm run build first');
  browser = await launchChromium();
  fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
  echo = await echoTarget();
  keys = fixture.addAgent();
  agent = await startDashboardAgent(fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }));
  await fixture.gateway.waitForAgent(keys.agentId);
  // A stream open, one finished, one refused by the allowlist, one whose database refuses.
  const open = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${echo.port}`);
  open.write('hello');
  const finished = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${echo.port}`);
  finished.end('bye');
  await fixture.gateway.openStream(keys.agentId, '10.1.2.3:5432').catch(() => undefined);
  await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${await closedLoopbackPort()}`).catch(() => undefined);
  checked = await newCheckedPage(browser);
  page = checked.page;
});

afterAll(async () => {
  await checked.context.close();
  await agent.close();
  await echo.close();
  await browser.close();
  await fixture.close();
});

/** Puts `view` in the state the test checks: streams with a failed one selected, a log line open, a diagnose report. */
async function open(view: (typeof VIEWS)[number]): Promise<void> {
  await page.getByRole('tab', { name: view }).click();
  if (view === 'Streams') {
    await expect.poll(() => page.getByTestId('stream-row').count(), WAIT).toBe(4);
    await page.locator('[data-testid="stream-row"][data-failed="true"]').first().click();
    await page.getByTestId('stream-fix').waitFor();
  } else if (view === 'Logs') {
    const line = page.getByTestId('log-line').filter({ hasText: 'data transfer finished' });
    await line.first().waitFor();
    if ((await line.first().getAttribute('aria-expanded')) !== 'true') await line.first().click();
  } else if (view === 'Diagnose') {
    if ((await page.getByTestId('diagnose-step').count()) === 0) {
      await page.getByRole('button', { name: 'Run diagnose' }).click();
      await expect
        .poll(() => page.getByTestId('diagnose-status').textContent(), WAIT)
        .toMatch(/^(No problem|\d+ check)/);
    }
  }
}

describe('accessibility of every view', () => {
  it('axe-core finds no serious or critical violation in any view, light or dark', async () => {
    await page.goto(agent.url);
    await expect.poll(() => page.getByRole('banner').getByTestId('state-badge').textContent(), WAIT).toBe('Online');
    const found: Record<string, unknown> = {};
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const view of VIEWS) {
        await open(view);
        const violations = await seriousAxeViolations(page);
        if (violations.length > 0) found[`${view} (${scheme})`] = violations;
        // Each view as checked, at 1280 and 800 px: test-results/ui/view-<view>-<scheme>-<width>.png.
        await screenshotWidths(page, `view-${view.toLowerCase()}-${scheme}`);
      }
      // The log window is its own page load (the tray opens it as a window).
      await page.goto('about:blank');
      await page.goto(`${agent.url}#logs-window`);
      await page.getByRole('heading', { name: 'Logs' }).waitFor();
      const violations = await seriousAxeViolations(page);
      if (violations.length > 0) found[`log window (${scheme})`] = violations;
      await page.goto(agent.url);
    }
    expect(found).toEqual({});
    expect(checked.errors).toEqual([]);
  });

  it('has one main landmark holding the selected tab panel', async () => {
    await page.goto(`${agent.url}#streams`);
    const main = page.getByRole('main');
    expect(await main.count()).toBe(1);
    expect(await main.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('tab-streams');
  });

  it('no tab moves sideways when another is selected (the bold label’s width is reserved)', async () => {
    await page.goto(agent.url);
    const places = async (): Promise<string[]> =>
      Promise.all(VIEWS.map(async (view) => JSON.stringify(await box(page.getByRole('tab', { name: view })))));
    const first = await places();
    for (const view of VIEWS) {
      await page.getByRole('tab', { name: view }).click();
      expect(await places()).toEqual(first);
    }
  });

  it('every control of every view is reached with Tab', async () => {
    await page.goto(agent.url);
    const missed: Record<string, string[]> = {};
    for (const view of VIEWS) {
      await open(view);
      // Every visible control of the panel, then Tab from the selected tab until focus leaves the page.
      const controls = await page.evaluate<string[]>(`(() => {
        const panel = document.querySelector('[role="tabpanel"]');
        const all = [...panel.querySelectorAll('button, input, select, textarea, a[href], [tabindex="0"]')]
          // Not the controls taken out of the Tab order on purpose (the file input behind "Choose file…").
          .filter((e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0 && !e.closest('[aria-hidden="true"]'));
        all.forEach((e, i) => e.setAttribute('data-kbd', String(i)));
        return all.map((e) => (e.getAttribute('aria-label') || e.textContent || e.id || e.tagName).trim().slice(0, 60));
      })()`);
      await page.getByRole('tab', { name: view }).focus();
      const reached = new Set<string>();
      for (let i = 0; i < 150; i += 1) {
        await page.keyboard.press('Tab');
        const index = await page.evaluate<string | null>('document.activeElement?.getAttribute("data-kbd") ?? null');
        if (index !== null) reached.add(index);
        if (await page.evaluate<boolean>('document.activeElement === document.body')) break;
      }
      const notReached = controls.filter((_, i) => !reached.has(String(i)));
      if (notReached.length > 0) missed[view] = notReached;
    }
    expect(missed).toEqual({});
  });
});

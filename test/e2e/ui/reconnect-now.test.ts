/**
 * "Reconnect now" in a real browser, against a gateway that dies and comes back (a kill switch
 * in front of a real gateway: connections refused while it is "down", relayed again once
 * "restarted"). What the user sees while the agent waits (the cause in words, the fix, the way to
 * Diagnose, the title and favicon), then the button, then Online — judged by the engine's own
 * state, never by a timer:
 *
 * - the product's host and dashboard in process with the engine on a stepped clock: the agent is
 *   walked to its 64 s wait, and comes online with 0 ms of that wait passed on its own clock;
 * - `cluvio-agent --dashboard` as users run it, on real time: the agent is online before the
 *   moment its 8 s wait would have ended (`since` < `nextAttemptAt`, both the engine's), which a
 *   broken button can never be (the next attempt only starts then).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentHost } from '../../../src/host/agent-host.js';
import { OWNER_ONLY_FILE_MODE } from '../../../src/host/config-import-writer.js';
import { startDashboard } from '../../../src/host/dashboard-server.js';
import type { AgentSnapshot, AgentState } from '../../../src/shared/agent-state.js';
import { Agent } from '../../../src/tunnel/agent/index.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { startKillSwitch } from '../../faults/support/kill-switch.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { ManualClock } from '../../unit/agent/support/manual-clock.js';
import { confinedConfigBinding, TEST_APP_VERSION } from '../../unit/host/support/unconfigured-host.js';
import { launchChromium } from './support/chromium.js';
import { dashboardCall } from './support/cli-process.js';
import { startDashboardAgent } from './support/dashboard-agent.js';
import { newCheckedPage, screenshotWidths } from './support/views.js';

const WAIT = { timeout: 30_000, interval: 50 };
/** The reference's waits once an accepted connection is lost: immediate, then 2, 4 … 64 s. */
const WAITS_MS = [2_000, 4_000, 8_000, 16_000, 32_000, 64_000];

let browser: Browser;
let fixture: GatewayFixture;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (!existsSync(path.resolve('dist', 'renderer', 'index.html')))
    throw new Error('dist/renderer is missing: run npm run build first');
  browser = await launchChromium();
  fixture = await startGatewayFixture({ pingIntervalMs: 0 });
});

afterAll(async () => {
  await browser.close();
  await fixture.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function page(): Promise<{ page: Page; errors: string[] }> {
  const checked = await newCheckedPage(browser);
  cleanups.push(() => checked.context.close());
  return { page: checked.page, errors: checked.errors };
}

const badge = (p: Page): Locator => p.getByRole('banner').getByTestId('state-badge');

/** What the page shows while the agent waits after the gateway refused it. */
async function expectRetryingWithCause(p: Page, port: number): Promise<void> {
  await expect.poll(() => badge(p).textContent(), WAIT).toBe('Retrying');
  await expect.poll(() => p.title(), WAIT).toBe('Offline, retrying · Cluvio Agent');
  expect(await p.locator('link[rel="icon"]').getAttribute('href')).toBe('./favicon-backing-off.svg');
  const problem = p.getByTestId('connection-problem');
  await expect
    .poll(() => problem.getByTestId('connection-cause').textContent(), WAIT)
    .toBe('Cause: The connection was refused (ECONNREFUSED): nothing accepts connections on that port.');
  expect(await problem.getByTestId('connection-fix').textContent()).toBe(
    `Fix: Nothing accepts connections on localhost port ${port}: check [server] port (or CLUVIO_AGENT_SERVER_PORT) and that the gateway runs; a firewall may also reject the connection.`,
  );
}

describe('Reconnect now', () => {
  it('ends a 64 s wait: online again with none of the wait passed on the engine’s own clock (host in process, stepped clock)', async () => {
    const killSwitch = await startKillSwitch(fixture.port);
    cleanups.push(() => killSwitch.close());
    const keys = fixture.addAgent();
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-reconnect-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await mkdir(path.join(dir, 'config'), { recursive: true });
    const binding = confinedConfigBinding(dir);
    await writeFile(binding.userConfigPath(), fixture.agentConfigToml(keys, { port: killSwitch.port }), {
      mode: OWNER_ONLY_FILE_MODE,
    });
    // The product's host; only the engine's clock is stepped by the test (near real time, so the page reads sensibly).
    const clock = new ManualClock(Date.now());
    const host = new AgentHost<AgentConfig>({
      appVersion: TEST_APP_VERSION,
      transport: 'dashboard',
      config: binding,
      createEngine: (config) => new Agent({ config, clock, version: TEST_APP_VERSION }),
    });
    cleanups.push(() => host.close());
    await host.start();
    const dashboard = await startDashboard({ api: host, rendererDir: path.resolve('dist', 'renderer') });
    cleanups.push(() => dashboard.close());
    const { page: p, errors } = await page();
    await p.goto(dashboard.url);
    await expect.poll(() => badge(p).textContent(), WAIT).toBe('Online');

    await killSwitch.kill('reset');
    const state = (): AgentState => host.snapshot().state;
    for (const wait of WAITS_MS) {
      await expect.poll(() => state().phase === 'backing-off' && clock.pendingDelays().includes(wait), WAIT).toBe(true);
      if (wait < 64_000) clock.advance(wait);
    }
    const waiting = state();
    if (waiting.phase !== 'backing-off') throw new Error(`expected backing-off, got ${waiting.phase}`);
    expect(waiting.nextAttemptAt - clock.now()).toBe(64_000);
    await expectRetryingWithCause(p, killSwitch.port);
    await screenshotWidths(p, 'status-retrying');
    await p.emulateMedia({ colorScheme: 'dark' });
    await screenshotWidths(p, 'status-retrying-dark');
    await p.emulateMedia({ colorScheme: 'light' });

    // The gateway is back; the engine's clock stays where it is.
    await killSwitch.revive();
    const clickedAt = clock.now();
    await p.getByRole('button', { name: 'Reconnect now' }).click();
    await expect.poll(() => badge(p).textContent(), WAIT).toBe('Online');
    const online = state();
    if (online.phase !== 'online') throw new Error(`expected online, got ${online.phase}`);
    // Online at the engine's moment of the click: 0 of the 64 000 ms waited.
    expect(online.since).toBe(clickedAt);
    expect(waiting.nextAttemptAt - online.since).toBe(64_000);
    expect((await fixture.gateway.waitForAgent(keys.agentId)).phase).toBe('accepted');
    expect(await p.getByRole('button', { name: 'Reconnect now' }).count()).toBe(0);
    expect(await p.title()).toBe('Online · Cluvio Agent');
    expect(errors).toEqual([]);
  });

  it('cluvio-agent --dashboard: the gateway refuses, the page says why and how to fix it; Reconnect now brings it online before its 8 s wait would have ended', async () => {
    const killSwitch = await startKillSwitch(fixture.port);
    cleanups.push(() => killSwitch.close());
    const keys = fixture.addAgent();
    const agent = await startDashboardAgent(fixture.agentConfigToml(keys, { port: killSwitch.port }));
    cleanups.push(async () => {
      expect(await agent.close()).toEqual({ code: 0, signal: null });
    });
    const snapshot = async (): Promise<AgentSnapshot> =>
      (await dashboardCall(agent.url, 'getSnapshot')) as AgentSnapshot;
    const { page: p, errors } = await page();
    await p.goto(agent.url);
    await expect.poll(() => badge(p).textContent(), WAIT).toBe('Online');

    await killSwitch.kill('close');
    // Immediate, 2 s, 4 s, then the 8 s wait (the engine's own state says which).
    let waiting: Extract<AgentState, { phase: 'backing-off' }> | undefined;
    await expect
      .poll(
        async () => {
          const state = (await snapshot()).state;
          if (state.phase === 'backing-off' && state.nextAttemptAt - Date.now() > 6_000) waiting = state;
          return waiting?.nextAttemptAt;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBeDefined();
    await expectRetryingWithCause(p, killSwitch.port);

    await killSwitch.revive();
    await p.getByRole('button', { name: 'Reconnect now' }).click();
    await expect.poll(() => badge(p).textContent(), WAIT).toBe('Online');
    const online = (await snapshot()).state;
    if (online.phase !== 'online') throw new Error(`expected online, got ${online.phase}`);
    const nextAttemptAt = waiting?.nextAttemptAt ?? 0;
    // Without the button the next attempt would only have started at nextAttemptAt.
    expect(online.since).toBeLessThan(nextAttemptAt);
    await agent.process.waitForLine(
      /INFO cluvio_agent::agent: connecting now instead of waiting reason=.?Reconnect now/,
    );
    expect(errors).toEqual([]);
  });
});

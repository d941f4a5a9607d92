/**
 * The Streams view at 1,000 live streams, in a real browser, from a real agent: `cluvio-agent
 * --dashboard` connected to a real gateway, which opens 1,000 data streams through it to a TCP
 * echo server (its own process, so no process here holds more than ~1,000 sockets), then keeps
 * bytes flowing on all of them so that every push (≤ 4 Hz) changes every row.
 *
 * It asserts only what a user would see break: the count, a virtualised table that scrolls to
 * its end and back without blank areas, no page errors, and the close. What it measured (time to
 * show, payload size, rendered rows, long tasks while every row changes, heap) is written to
 * test-results/ui/streams-1000.json and printed; none of it is asserted (2 noisy cores).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MuxStream } from '../../../src/tunnel/mux/index.js';
import { DEFAULT_CLOSED_TAIL } from '../../../src/tunnel/agent/stream-table.js';
import type { StreamInfo } from '../../../src/shared/agent-state.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { launchChromium, SCREENSHOT_DIR, screenshot } from './support/chromium.js';
import { dashboardCall } from './support/cli-process.js';
import { type DashboardAgent, startDashboardAgent } from './support/dashboard-agent.js';

const STREAMS = 1000;
const WAIT = { timeout: 120_000, interval: 100 };
/** `.streams td` height in the stylesheet (StreamsView's ROW_HEIGHT). */
const ROW_HEIGHT = 30;

const ECHO_SERVER = `
const net = require('node:net');
const sockets = new Set();
const server = net.createServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
  socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => { for (const s of sockets) s.destroy(); server.close(() => process.exit(0)); });
`;

let browser: Browser;
let fixture: GatewayFixture;
let echo: ChildProcess;
let echoPort: number;
let agent: DashboardAgent;
let agentId: string;

beforeAll(async () => {
  if (!existsSync(path.resolve('dist', 'renderer', 'index.html')))
    throw new Error('dist/renderer is missing: run npm run build first');
  browser = await launchChromium();
  fixture = await startGatewayFixture({ pingIntervalMs: 5_000 });
  echo = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(echo.stdout ?? echo, 'data')) as [Buffer];
  echoPort = Number(line.toString().trim());
  const keys = fixture.addAgent('streams-1000');
  agentId = keys.agentId;
  agent = await startDashboardAgent(fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }));
  await fixture.gateway.waitForAgent(agentId);
});

afterAll(async () => {
  await browser.close();
  await agent.close();
  await fixture.close();
  echo.kill('SIGTERM');
  if (echo.exitCode === null) await once(echo, 'exit');
});

/** Runs `script` (a function body, as text: this project's Node typings have no DOM) in the page. */
function inPage<T>(page: Page, script: string): Promise<T> {
  return page.evaluate<T>(`(async () => { ${script} })()`);
}

/** Where the table stands: rendered rows, whether the first/last rendered row is a real one, and whether rows fill the viewport. */
interface TableView {
  readonly rendered: number;
  readonly rowCount: string | null;
  readonly scrollTop: number;
  readonly scrollHeight: number;
  readonly firstIsRow: boolean;
  readonly lastIsRow: boolean;
  /** Rendered rows that intersect the scroller's visible area. */
  readonly visibleRows: number;
}

const TABLE_VIEW = `
  const scroller = document.querySelector('.table-scroller');
  const body = scroller.querySelector('tbody');
  const rows = [...body.querySelectorAll('tr[data-testid="stream-row"]')];
  const box = scroller.getBoundingClientRect();
  const visibleRows = rows.filter((row) => { const r = row.getBoundingClientRect(); return r.bottom > box.top + 40 && r.top < box.bottom; }).length;
  return {
    rendered: rows.length,
    rowCount: scroller.querySelector('table').getAttribute('aria-rowcount'),
    scrollTop: scroller.scrollTop,
    scrollHeight: scroller.scrollHeight,
    firstIsRow: body.firstElementChild?.getAttribute('data-testid') === 'stream-row',
    lastIsRow: body.lastElementChild?.getAttribute('data-testid') === 'stream-row',
    visibleRows,
  };
`;

/** Scrolls the table to `where` and waits two frames; resolves with how long until rows were there. */
function scrollTo(page: Page, where: 'bottom' | 'middle' | 'top'): Promise<number> {
  return inPage<number>(
    page,
    `
    const scroller = document.querySelector('.table-scroller');
    const target = ${JSON.stringify(where)} === 'bottom' ? scroller.scrollHeight : ${JSON.stringify(where)} === 'middle' ? scroller.scrollHeight / 2 : 0;
    const started = performance.now();
    scroller.scrollTop = target;
    scroller.dispatchEvent(new Event('scroll'));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    return performance.now() - started;
  `,
  );
}

describe('the Streams view at 1,000 streams from a real agent', () => {
  it('shows the count, renders only what is visible, scrolls to the end and back without blank areas, and shows the close', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${agent.url}#streams`);
    await page.getByText('No database connections yet.').waitFor();
    // Long tasks (> 50 ms of main-thread work) from here on.
    await inPage(
      page,
      `window.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: false });`,
    );

    const openStarted = performance.now();
    const streams: MuxStream[] = [];
    try {
      for (let i = 0; i < STREAMS; i += 100) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(100, STREAMS - i) }, () =>
            fixture.gateway.openStream(agentId, `127.0.0.1:${echoPort}`),
          ),
        );
        for (const stream of batch) {
          stream.on('data', () => undefined);
          stream.on('error', () => undefined);
        }
        streams.push(...batch);
      }
      const openedMs = performance.now() - openStarted;

      const openCount = page.getByTestId('streams-open');
      const closedCount = page.getByTestId('streams-closed');
      const shownStarted = performance.now();
      await expect.poll(() => openCount.textContent(), WAIT).toBe(`${STREAMS} open`);
      expect(await closedCount.textContent()).toBe('0 recently closed');
      const shownMs = performance.now() - shownStarted;
      const payloadBytes = JSON.stringify(await dashboardCall(agent.url, 'getStreams')).length;

      let view = await inPage<TableView>(page, TABLE_VIEW);
      expect(view.rowCount).toBe(String(STREAMS + 1));
      expect(view.rendered).toBeGreaterThan(0);
      expect(view.rendered).toBeLessThan(100);
      expect(view.firstIsRow).toBe(true);
      expect(view.visibleRows).toBeGreaterThan(5);
      expect(view.scrollHeight).toBeGreaterThanOrEqual(STREAMS * ROW_HEIGHT);
      for (const cell of await page.getByTestId('stream-row').first().locator('td').allTextContents())
        expect(cell).not.toBe('');
      await screenshot(page, 'streams-1000');

      // Every row changes on every push for a while: bytes both ways on every stream.
      await inPage(page, 'window.__longTasks.length = 0;');
      const before = (await dashboardCall(agent.url, 'getSnapshot')) as { counters: { bytesToTarget: number } };
      for (let round = 0; round < 12; round += 1) {
        for (const stream of streams) stream.write('ping\n');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await expect
        .poll(
          async () =>
            ((await dashboardCall(agent.url, 'getSnapshot')) as { counters: { bytesToTarget: number } }).counters
              .bytesToTarget,
          WAIT,
        )
        .toBe(before.counters.bytesToTarget + 12 * 5 * STREAMS);
      const longTasks = await inPage<number[]>(page, 'return window.__longTasks;');

      const scrollBottomMs = await scrollTo(page, 'bottom');
      view = await inPage<TableView>(page, TABLE_VIEW);
      expect(view.scrollTop).toBeGreaterThan(0);
      expect(view.lastIsRow).toBe(true);
      expect(view.visibleRows).toBeGreaterThan(5);
      await screenshot(page, 'streams-1000-bottom');
      const scrollMiddleMs = await scrollTo(page, 'middle');
      view = await inPage<TableView>(page, TABLE_VIEW);
      expect(view.visibleRows).toBeGreaterThan(5);
      await scrollTo(page, 'top');
      view = await inPage<TableView>(page, TABLE_VIEW);
      expect(view.firstIsRow).toBe(true);
      expect(view.visibleRows).toBeGreaterThan(5);
      const heapBytes = await inPage<number | null>(page, 'return performance.memory?.usedJSHeapSize ?? null;');

      // The close shows too; the agent keeps a tail of recently closed streams.
      for (const stream of streams.splice(0)) stream.destroy();
      await expect.poll(() => openCount.textContent(), WAIT).toBe('0 open');
      await expect.poll(() => closedCount.textContent(), WAIT).toBe(`${DEFAULT_CLOSED_TAIL} recently closed`);
      expect(((await dashboardCall(agent.url, 'getStreams')) as StreamInfo[]).every((s) => s.phase === 'closed')).toBe(
        true,
      );
      expect(pageErrors).toEqual([]);

      const measured = {
        streams: STREAMS,
        openThroughGatewayMs: Math.round(openedMs),
        untilPageShowsCountMs: Math.round(shownMs),
        streamsPayloadBytes: payloadBytes,
        renderedRows: view.rendered,
        longTasksWhileAllRowsChange3s: {
          count: longTasks.length,
          totalMs: Math.round(longTasks.reduce((a, b) => a + b, 0)),
          maxMs: Math.round(Math.max(0, ...longTasks)),
        },
        scrollToBottomRenderMs: Math.round(scrollBottomMs),
        scrollToMiddleRenderMs: Math.round(scrollMiddleMs),
        pageHeapBytes: heapBytes,
      };
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await writeFile(path.join(SCREENSHOT_DIR, 'streams-1000.json'), `${JSON.stringify(measured, null, 2)}\n`);
      process.stdout.write(`streams-1000: ${JSON.stringify(measured)}\n`);
    } finally {
      for (const stream of streams) stream.destroy();
      await page.close();
    }
  });
});

/**
 * Helpers of the views' browser tests: screenshots of a view at the widths the issue names, an
 * axe-core run under the page's CSP (a context created with `bypassCSP: true` lets the test inject
 * it), and pages that collect their errors.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { screenshot } from './chromium.js';

/** The widths every view is kept at: a laptop, the 800 px, and the app window's 640 px minimum. */
export const WIDTHS = [1280, 800] as const;
export const MINIMUM_WIDTH = 640;

/** Screenshots of the page at each width (height 800): `test-results/ui/<name>-<width>.png`. */
export async function screenshotWidths(page: Page, name: string, widths: readonly number[] = WIDTHS): Promise<void> {
  const before = page.viewportSize();
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    // Let layout, ResizeObservers and the chart settle on the new width.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    await screenshot(page, `${name}-${width}`);
  }
  if (before !== null) await page.setViewportSize(before);
}

export interface CheckedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught errors and console errors of the page. */
  readonly errors: string[];
}

/** A page in its own context (its own storage); `bypassCSP` so axe-core can be injected. */
export async function newCheckedPage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
  acceptDownloads = false,
): Promise<CheckedPage> {
  const context = await browser.newContext({ viewport, bypassCSP: true, acceptDownloads, locale: 'en-US' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { context, page, errors };
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

let axeSource: string | null = null;

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ content: axeSource });
  // Runs in the page (a string: this project's Node typings have no DOM).
  const result = await page.evaluate<AxeViolation[]>(`
    window.axe.run(document, { resultTypes: ['violations'] }).then((r) =>
      r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary),
      })),
    )
  `);
  return result.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** What these tests read of an element in the page (this project's Node typings have no DOM). */
interface PageElement {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getBoundingClientRect(): { readonly x: number; readonly width: number; readonly height: number };
}
interface PageWindow {
  getComputedStyle(element: PageElement): { getPropertyValue(name: string): string };
}

/** The computed value of a CSS property of the locator's element. */
export function computedStyle(locator: Locator, property: string): Promise<string> {
  return locator.evaluate(
    (element, name) =>
      (globalThis as unknown as PageWindow).getComputedStyle(element as PageElement).getPropertyValue(name),
    property,
  );
}

/** The element's box (x, width, height) in CSS pixels. */
export function box(locator: Locator): Promise<{ x: number; width: number; height: number }> {
  return locator.evaluate((element) => {
    const rect = (element as PageElement).getBoundingClientRect();
    return { x: rect.x, width: rect.width, height: rect.height };
  });
}

/** True when the element's content is wider than the element (something to scroll sideways). */
export function overflowsSideways(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => (element as PageElement).scrollWidth > (element as PageElement).clientWidth);
}

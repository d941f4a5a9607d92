/**
 * The UI tests' Chromium driven by playwright-core: the browser npm installs (@sparticuz/chromium),
 * or the one CHROMIUM_PATH names, as chosen once per run by ./browser-global-setup.ts.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';
import type { TestBrowser } from './test-browser.js';

/** Screenshots kept as CI artifacts. */
export const SCREENSHOT_DIR = path.resolve('test-results', 'ui');

/**
 * The same flags for either browser. Not the npm package's `chromium.args`: those are for AWS
 * Lambda and include `--single-process` (after a page or context closes, that browser refuses new
 * ones, and every test here opens several) and `--disable-web-security` (which would switch off
 * the same-origin and CSP checks the dashboard relies on).
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  const browser = inject('testBrowser') as TestBrowser | undefined;
  if (browser === undefined)
    throw new Error(
      'no test browser: the UI tests need the global setup in vitest.config.ts (run them with npx vitest)',
    );
  return chromium.launch({
    executablePath: browser.executablePath,
    args: ARGS,
    env: { ...process.env, ...browser.env },
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Drops a file with `text` on `selector`, as a user dragging it from the file manager would. */
export async function dropFile(page: Page, selector: string, fileName: string, text: string): Promise<void> {
  // Runs in the page (a string: this project's Node typings have no DOM).
  const dataTransfer = await page.evaluateHandle(
    `(() => { const t = new DataTransfer(); t.items.add(new File([${JSON.stringify(text)}], ${JSON.stringify(fileName)}, { type: 'application/toml' })); return t; })()`,
  );
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer });
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
  await dataTransfer.dispose();
}

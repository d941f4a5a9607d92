/**
 * Vitest global setup (vitest.config.ts): picks the UI tests' browser once per test run — and so
 * unpacks the npm Chromium at most once, before any worker starts — and hands it to the workers.
 */
import type { TestProject } from 'vitest/node';
import { chooseTestBrowser } from './test-browser.js';

export default async function setup(project: TestProject): Promise<void> {
  const browser = await chooseTestBrowser();
  project.provide('testBrowser', browser);
  console.log(`UI tests' browser: ${browser.executablePath} (${browser.source})`);
}

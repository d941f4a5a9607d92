/**
 * What the UI tests of an online agent share per file: a browser, the embedded PostgreSQL the
 * agent relays to, and a real gateway (pinging every second, so the views see round trips),
 * started once before the file's tests and stopped after them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../../../src/cli/embedded-postgres.js';
import { type GatewayFixture, startGatewayFixture } from '../../../support/gateway-fixture.js';
import { launchChromium } from './chromium.js';

export interface OnlineBed {
  readonly browser: Browser;
  readonly database: EmbeddedPostgres;
  readonly fixture: GatewayFixture;
}

/** Registers the file's beforeAll/afterAll; the fields are there once beforeAll has run. */
export function useOnlineBed(): OnlineBed {
  let started: OnlineBed | undefined;
  beforeAll(async () => {
    if (!existsSync(path.resolve('dist', 'renderer', 'index.html')))
      throw new Error('dist/renderer is missing: run npm run build first');
    const browser = await launchChromium();
    const database = await startEmbeddedPostgres();
    const fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
    started = { browser, database, fixture };
  });
  afterAll(async () => {
    if (started === undefined) return;
    await started.browser.close();
    await started.fixture.close();
    await started.database.stop();
  });
  const get = (): OnlineBed => {
    if (started === undefined) throw new Error('useOnlineBed: used before its beforeAll ran');
    return started;
  };
  return {
    get browser() {
      return get().browser;
    },
    get database() {
      return get().database;
    },
    get fixture() {
      return get().fixture;
    },
  };
}

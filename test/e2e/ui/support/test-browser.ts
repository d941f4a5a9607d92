/**
 * Which browser the UI tests run, chosen once per test run by the Vitest global setup
 * (./browser-global-setup.ts) and handed to the test workers with `provide`/`inject`:
 *
 * - by default the Chromium that `npm ci` installs (`@sparticuz/chromium`, ./npm-chromium.ts);
 * - `CHROMIUM_PATH=/path/to/chromium-or-chrome` instead: a browser of the machine (a developer's
 *   desktop Chrome, Debian's `/usr/bin/chromium`), used only when asked for.
 */
import { accessSync, constants } from 'node:fs';
import { unpackedChromium } from './npm-chromium.js';

export interface TestBrowser {
  readonly executablePath: string;
  /** Extra environment for the browser process (the npm build's fonts). */
  readonly env: Readonly<Record<string, string>>;
  /** Where it comes from, for the run's log: `@sparticuz/chromium 153.0.0` or `CHROMIUM_PATH`. */
  readonly source: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testBrowser: TestBrowser;
  }
}

export async function chooseTestBrowser(env: NodeJS.ProcessEnv = process.env): Promise<TestBrowser> {
  const override = env.CHROMIUM_PATH;
  if (override !== undefined && override !== '') {
    try {
      accessSync(override, constants.X_OK);
    } catch {
      throw new Error(
        `CHROMIUM_PATH=${override} is not an executable file: point it at a Chromium or Chrome binary, or unset it to use the browser npm installs (@sparticuz/chromium)`,
      );
    }
    return { executablePath: override, env: {}, source: 'CHROMIUM_PATH' };
  }
  const unpacked = await unpackedChromium();
  return {
    executablePath: unpacked.executablePath,
    env: { FONTCONFIG_FILE: unpacked.fontconfigFile },
    source: unpacked.source,
  };
}

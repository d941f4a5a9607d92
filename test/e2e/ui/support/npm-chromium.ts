/**
 * The browser the UI tests run by default: the Chromium build shipped inside the npm package
 * `@sparticuz/chromium` (pinned in package.json), unpacked once per machine into a folder named
 * after the package's version and the user, e.g. `/tmp/cluvio-test-chromium-153.0.0-uid0/`.
 *
 * Several test runs (other worktrees, other processes) may unpack at the same time: each one
 * unpacks into its own temporary folder and renames it into place, an atomic step; whoever comes
 * second finds the folder there, drops its own copy and uses the winner's. So the folder only
 * ever exists complete. (The package's own `executablePath()` writes straight into
 * `/tmp/chromium`, where a second run can find a half-written binary, so it is not used.)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflate } from '@sparticuz/chromium';

/** The package's folder (its `exports` hide package.json, so it is found from the entry point). */
const PACKAGE_DIR = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..');
/** The archives the package ships: the browser, its fonts, and the software GL it loads beside itself. */
const ARCHIVES = ['chromium.br', 'fonts.tar.br', 'swiftshader.tar.br'] as const;
/** A temporary folder left by a run that died while unpacking is removed after this long. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

export interface UnpackedChromium {
  /** The browser executable. */
  readonly executablePath: string;
  /** A fontconfig file: the fonts shipped with the package first, then the machine's own, if any. */
  readonly fontconfigFile: string;
  /** `@sparticuz/chromium <version>`. */
  readonly source: string;
}

async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * The package ships Open Sans only (no arrows, no monospace), with a fonts.conf naming
 * `/tmp/fonts`; this one names the unpacked folder instead and falls back to the machine's fonts
 * where it has a fontconfig setup, so text always renders and the UI's symbols do where possible.
 */
function fontconfig(dir: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <dir>${path.join(dir, 'fonts', 'fonts')}</dir>`,
    `  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>`,
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    '</fontconfig>',
    '',
  ].join('\n');
}

/**
 * Unpacks the archives into `dir` with the package's own `inflate`, which writes under the OS temp
 * folder, and writes the fonts.conf for the folder's final place, `finalDir`.
 */
async function inflateInto(dir: string, finalDir: string): Promise<void> {
  const bin = path.join(PACKAGE_DIR, 'bin');
  // `inflate` takes its output folder from os.tmpdir() (TMPDIR) synchronously when called; it is
  // pointed at `dir` for exactly those calls and restored before anything else runs.
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  let unpacking: Promise<string[]>;
  try {
    unpacking = Promise.all(ARCHIVES.map((archive) => inflate(path.join(bin, archive))));
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  const [executable] = await unpacking;
  if (executable !== path.join(dir, 'chromium'))
    throw new Error(`@sparticuz/chromium unpacked to ${String(executable)}, not into ${dir}`);
  await writeFile(path.join(dir, 'fonts.conf'), fontconfig(finalDir));
}

/** Removes temporary folders of earlier runs that died while unpacking (none younger than an hour). */
async function removeAbandoned(prefix: string): Promise<void> {
  const parent = path.dirname(prefix);
  const stem = path.basename(prefix);
  for (const name of await readdir(parent)) {
    if (!name.startsWith(stem)) continue;
    const dir = path.join(parent, name);
    const info = await stat(dir).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > ABANDONED_AFTER_MS)
      await rm(dir, { recursive: true, force: true });
  }
}

/** The folder the browser is unpacked to: one per package version and user. */
export async function unpackedChromiumFolder(parent: string = tmpdir()): Promise<string> {
  return path.join(parent, `cluvio-test-chromium-${await packageVersion()}-uid${process.getuid?.() ?? 0}`);
}

/**
 * The unpacked browser, unpacking it first if this machine has no copy of this version yet.
 * `parent`: where the versioned folder lives (the OS temp folder; a test gives its own).
 */
export async function unpackedChromium(parent: string = tmpdir()): Promise<UnpackedChromium> {
  const version = await packageVersion();
  const dir = await unpackedChromiumFolder(parent);
  const found = (): UnpackedChromium => ({
    executablePath: path.join(dir, 'chromium'),
    fontconfigFile: path.join(dir, 'fonts.conf'),
    source: `@sparticuz/chromium ${version}`,
  });
  if (existsSync(path.join(dir, 'fonts.conf'))) return found();

  const partialPrefix = `${dir}.partial-`;
  await removeAbandoned(partialPrefix);
  const staging = await mkdtemp(partialPrefix);
  try {
    await inflateInto(staging, dir);
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another run renamed its copy into place first (ENOTEMPTY/EEXIST): use that one.
    if (existsSync(path.join(dir, 'fonts.conf'))) return found();
    throw new Error(
      `could not unpack the test browser from @sparticuz/chromium into ${dir}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return found();
}

/**
 * What `npm run dist` would ship, checked without Electron's binary: electron-builder packs the
 * unpacked Linux app around a placeholder Electron, and the test reads its app.asar, the flipped
 * fuse wire, and the desktop entry electron-builder writes into the deb and rpm packages.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsarArchive } from './asar-archive.js';
import { electronPlaceholder, PACKAGED_FUSES, readFuseWire } from './electron-placeholder.js';

const run = promisify(execFile);
const root = path.resolve('.');

describe('packaged app (electron-builder --linux dir)', () => {
  let dir: string;
  let appDir: string;
  let asar: AsarArchive;
  let files: string[];

  beforeAll(async () => {
    for (const built of ['dist/src/main/main.js', 'dist/preload/preload.cjs', 'dist/renderer/index.html']) {
      if (!existsSync(path.join(root, built))) throw new Error(`${built} is missing: run npm run build first`);
    }
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-pack-'));
    // Stands in for Electron's unpacked distribution, which cannot be downloaded here.
    const electronDist = path.join(dir, 'electron-dist');
    await mkdir(electronDist);
    await writeFile(path.join(electronDist, 'electron'), electronPlaceholder());
    await chmod(path.join(electronDist, 'electron'), 0o755);
    // After packing: the desktop entry as electron-builder computes it for the deb and rpm
    // packages (FpmTarget: the linux options merged with the target's), which a --dir build
    // does not write.
    const helper = createRequire(import.meta.url).resolve('app-builder-lib/out/targets/LinuxTargetHelper.js');
    const hook = path.join(dir, 'record-desktop-entry.cjs');
    await writeFile(
      hook,
      `const { writeFile } = require('node:fs/promises');
const path = require('node:path');
const { LinuxTargetHelper } = require(${JSON.stringify(helper)});
module.exports = async function afterPack(context) {
  const packager = context.packager;
  const options = { ...packager.platformSpecificBuildOptions, ...(packager.config.deb ?? {}) };
  const entry = await new LinuxTargetHelper(packager).computeDesktopEntry(options);
  await writeFile(path.join(context.outDir, 'desktop-entry'), entry);
};
`,
    );
    await run(
      process.execPath,
      [
        path.join(root, 'node_modules', 'electron-builder', 'cli.js'),
        '--linux',
        'dir',
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${path.join(dir, 'release')}`,
        `-c.afterPack=${hook}`,
      ],
      {
        cwd: root,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    appDir = path.join(dir, 'release', 'linux-unpacked');
    asar = new AsarArchive(path.join(appDir, 'resources', 'app.asar'));
    files = asar.files();
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the executable and packs the app into resources/app.asar', () => {
    expect(existsSync(path.join(appDir, 'cluvio-agent-desktop'))).toBe(true);
    expect(files.length).toBeGreaterThan(50);
  });

  it('flips Electron 45’s fuses so the app cannot be run as plain Node, inspected, or loaded from outside its app.asar', async () => {
    expect(readFuseWire(await readFile(path.join(appDir, 'cluvio-agent-desktop')))).toEqual(PACKAGED_FUSES);
  });

  it('the desktop entry offers the app for .toml files (application/toml) and takes files as %U', async () => {
    const entry = await readFile(path.join(dir, 'release', 'desktop-entry'), 'utf8');
    const keys = new Map(
      entry
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    expect(keys.get('MimeType')).toBe('application/toml;');
    expect(keys.get('Exec')).toBe('"/opt/Cluvio Agent/cluvio-agent-desktop" %U');
    expect(keys.get('Name')).toBe('Cluvio Agent');
  });

  it('contains the main process, host, engine, preload and renderer bundles, and the tray icons', async () => {
    const manifest = JSON.parse(asar.read('/package.json').toString('utf8')) as { main: string };
    expect(files).toContain(`/${manifest.main}`);
    expect(manifest.main).toBe('dist/src/main/main.js');
    for (const file of [
      '/dist/src/host/agent-host.js',
      '/dist/src/tunnel/config/index.js',
      '/dist/src/shared/agent-api.js',
      '/dist/preload/preload.cjs',
      '/dist/renderer/index.html',
      '/build/icons/tray/onlineTemplate.png',
      '/build/icons/tray/onlineTemplate@2x.png',
      '/build/icons/tray/backing-off.ico',
      '/build/icons/tray/error.png',
      '/build/icons/icon.png',
      '/build/icons/icon.ico',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.some((f) => /^\/dist\/renderer\/assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
    expect(asar.read('/dist/renderer/index.html').toString('utf8')).toBe(
      await readFile(path.join(root, 'dist', 'renderer', 'index.html'), 'utf8'),
    );
  });

  it('the preload is one CommonJS file that requires nothing but electron (a sandboxed preload can load no modules)', () => {
    const preload = asar.read('/dist/preload/preload.cjs').toString('utf8');
    expect([...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('contains the production dependencies and none of the development ones', () => {
    for (const dep of ['electron-log', '@iarna/toml', 'cborg', '@noble/curves', '@noble/ciphers', '@peculiar/x509'])
      expect(files).toContain(`/node_modules/${dep}/package.json`);
    for (const dep of [
      'electron',
      'electron-builder',
      'vite',
      'vitest',
      'typescript',
      'eslint',
      'playwright-core',
      'react',
      'react-dom',
      '@electric-sql/pglite',
    ]) {
      expect(files.filter((f) => f.startsWith(`/node_modules/${dep}/`))).toEqual([]);
    }
  });

  it('contains no sources, tests, source maps, benchmarks or the CLI-only gateway', () => {
    const ours = files.filter((f) => !f.startsWith('/node_modules/'));
    expect(
      ours.filter(
        (f) =>
          f.startsWith('/src/') ||
          f.startsWith('/test/') ||
          f.startsWith('/dist/bench/') ||
          f.startsWith('/dist/src/gateway/') ||
          f.startsWith('/dist/src/cli/'),
      ),
    ).toEqual([]);
    expect(ours.filter((f) => f.endsWith('.ts') || f.endsWith('.tsx') || f.endsWith('.map'))).toEqual([]);
  });

  it('every import of the main process resolves inside the archive (the app would load)', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron']);
    const missing: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = asar.read(file).toString('utf8');
      for (const match of source.matchAll(
        /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
      )) {
        const specifier = match[1] ?? match[2] ?? match[3] ?? '';
        if (specifier.startsWith('.')) {
          const target = path.posix.join(path.posix.dirname(file), specifier);
          if (files.includes(target)) visit(target);
          else missing.push(`${file} → ${specifier}`);
        } else if (!builtins.has(specifier)) {
          const name = specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] ?? '');
          if (!files.includes(`/node_modules/${name}/package.json`)) missing.push(`${file} → ${specifier}`);
        }
      }
    };
    visit('/dist/src/main/main.js');
    expect(missing).toEqual([]);
    expect(seen.size).toBeGreaterThan(20);
  });
});

/**
 * The CLI's npm package (`release/cluvio-agent-<version>.tgz` from npm run package:cli), installed
 * as a user would — `npm install -g` into a scratch prefix — and run from there: only the runtime
 * dependencies arrive, pinned to package-lock.json's versions; `cluvio-agent` and
 * `cluvio-gateway` are on the prefix's PATH and work on the oldest Node.js its `engines` admits
 * that this machine has, end to end through a gateway.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/vectors.js';
import { cliRelease, LINUX_X64, type CliRelease } from './cli-release.js';
import { EXPECTED_ROWS, runToEnd, startCommand, startTunnelTarget } from './packaged-agent.js';

const run = promisify(execFile);

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly bin?: Record<string, string>;
  readonly engines?: { readonly node?: string };
  readonly dependencies?: Record<string, string>;
}

const rootManifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
// valibot is not among them: the dashboard (src/shared's AgentApi schemas) validates every call with it.
const DESKTOP_PACKAGES = ['electron', 'electron-log', 'react', 'react-dom', 'vite', 'vitest', 'uplot'];

/** A Node.js binary folder for each major version this machine has: the tests' own, and /usr/bin's if any. */
function nodeBinDirs(): Map<number, string> {
  const dirs = new Map<number, string>([[Number(process.versions.node.split('.')[0]), path.dirname(process.execPath)]]);
  const system = spawnSync('/usr/bin/node', ['-p', 'process.versions.node'], { encoding: 'utf8' });
  if (system.status === 0) dirs.set(Number(system.stdout.trim().split('.')[0]), '/usr/bin');
  return dirs;
}

/** `name@version` of every package under `dir`'s node_modules, nested ones included, keyed like package-lock.json. */
async function installedPackages(dir: string, prefix = 'node_modules'): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const modules = path.join(dir, 'node_modules');
  let names: string[];
  try {
    names = await readdir(modules);
  } catch {
    return found;
  }
  for (const name of names.filter((entry) => !entry.startsWith('.'))) {
    const scoped = name.startsWith('@')
      ? (await readdir(path.join(modules, name))).map((inner) => `${name}/${inner}`)
      : [name];
    for (const pkg of scoped) {
      const manifest = JSON.parse(readFileSync(path.join(modules, pkg, 'package.json'), 'utf8')) as Manifest;
      found.set(`${prefix}/${pkg}`, manifest.version);
      for (const [key, version] of await installedPackages(path.join(modules, pkg), `${prefix}/${pkg}/node_modules`))
        found.set(key, version);
    }
  }
  return found;
}

let release: CliRelease;
let work = '';
let prefix = '';
let installed = '';
let packageFiles: string[] = [];

describe.skipIf(!LINUX_X64)('the npm package (built with the Linux x86-64 artefacts)', () => {
  beforeAll(async () => {
    release = await cliRelease();
    work = await mkdtemp(path.join(tmpdir(), 'cluvio-npm-'));
    prefix = path.join(work, 'prefix');
    packageFiles = (await run('tar', ['-tzf', release.npmTarball])).stdout.trim().split('\n');
    // npm's cache from `npm ci` serves the packages; the registry is asked only for what is missing.
    await run(
      'npm',
      ['install', '--global', '--prefix', prefix, release.npmTarball, '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: work, timeout: 240_000 },
    );
    installed = path.join(prefix, 'lib', 'node_modules', 'cluvio-agent');
  }, 300_000);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  describe('the npm package of the CLI', () => {
    it('is public, named cluvio-agent, with both commands, the repository’s engines and only runtime dependencies', () => {
      const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as Manifest;
      expect(manifest.name).toBe('cluvio-agent');
      expect(manifest.version).toBe(rootManifest.version);
      expect(manifest.private).toBeUndefined();
      expect(manifest.bin).toEqual({
        'cluvio-agent': 'dist/src/cli/agent.js',
        'cluvio-gateway': 'dist/src/cli/gateway.js',
      });
      expect(manifest.engines).toEqual(rootManifest.engines);
      const dependencies = manifest.dependencies ?? {};
      for (const [name, range] of Object.entries(dependencies))
        expect({ name, range }).toEqual({ name, range: rootManifest.dependencies?.[name] });
      expect(Object.keys(dependencies)).toEqual(
        expect.arrayContaining(['commander', 'cborg', '@noble/curves', '@peculiar/x509']),
      );
      expect(Object.keys(dependencies).filter((name) => DESKTOP_PACKAGES.includes(name))).toEqual([]);
    });

    it('packs compiled modules, their maps and the dashboard’s UI: no sources, tests or desktop-app code', () => {
      const outside = packageFiles.filter(
        (file) =>
          !/^package\/(package\.json|README\.md|npm-shrinkwrap\.json)$/.test(file) &&
          !/^package\/dist\/src\/(cli|tunnel|gateway|host|shared)\/.+\.js(\.map)?$/.test(file) &&
          !file.startsWith('package/dist/renderer/'),
      );
      expect(outside).toEqual([]);
      expect(packageFiles).toContain('package/dist/renderer/index.html');
      expect(
        packageFiles.filter((file) => /\/(demo|demo-session|embedded-postgres|agent-executable)\.js$/.test(file)),
      ).toEqual([]);
    });

    it('installs exactly the packages and versions of package-lock.json that the CLI needs, and nothing of the desktop app', async () => {
      const shrinkwrap = JSON.parse(
        (await run('tar', ['-xzOf', release.npmTarball, 'package/npm-shrinkwrap.json'])).stdout,
      ) as { packages: Record<string, { version?: string }> };
      const pinned = new Map(
        Object.entries(shrinkwrap.packages)
          .filter(([key]) => key !== '')
          .map(([key, entry]) => [key, entry.version ?? '']),
      );
      // The shrinkwrap is package-lock.json's own entries (same paths, same versions)…
      for (const [key, version] of pinned)
        expect({ key, version }).toEqual({ key, version: lock.packages[key]?.version });
      // …and npm installed exactly those.
      const packages = await installedPackages(installed);
      expect(Object.fromEntries(packages)).toEqual(Object.fromEntries(pinned));
      const names = [...packages.keys()].map((key) =>
        key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length),
      );
      expect(names.filter((name) => DESKTOP_PACKAGES.includes(name))).toEqual([]);
    });

    it.each([...nodeBinDirs()])(
      'puts cluvio-agent and cluvio-gateway on the prefix’s PATH, running on Node %i',
      async (_major, nodeDir) => {
        const env = { PATH: [path.join(prefix, 'bin'), nodeDir].join(path.delimiter), HOME: work, NO_COLOR: '1' };
        expect(await runToEnd('cluvio-agent', ['--version'], work, env)).toEqual({
          code: 0,
          stdout: `${release.version}\n`,
          stderr: '',
        });
        expect(await runToEnd('cluvio-gateway', ['--version'], work, env)).toEqual({
          code: 0,
          stdout: `${release.version}\n`,
          stderr: '',
        });
        const keys = await runToEnd('cluvio-agent', ['--gen-keypair'], work, env);
        expect(keys.code).toBe(0);
        expect(keys.stdout).toMatch(/^public-key: [A-Za-z0-9_-]{43}\nsecret-key: [A-Za-z0-9_-]{43}\n$/);
      },
    );

    it('finds cluvio-agent.toml beside the command npm linked, reaches the gateway and carries a pg query, on the oldest Node here', async () => {
      const [oldest] = [...nodeBinDirs()].sort(([a], [b]) => a - b);
      const nodeDir = oldest?.[1] ?? path.dirname(process.execPath);
      const target = await startTunnelTarget();
      const config = path.join(prefix, 'bin', 'cluvio-agent.toml');
      try {
        await writeFile(config, target.configToml, { mode: 0o600 });
        await mkdir(path.join(work, 'home'), { recursive: true });
        const agent = startCommand('cluvio-agent', [], work, {
          PATH: [path.join(prefix, 'bin'), nodeDir].join(path.delimiter),
          HOME: path.join(work, 'home'),
          NO_COLOR: '1',
        });
        try {
          await agent.waitForOutput(/INFO cluvio_agent: configuration path=/);
          expect(agent.stdout()).toContain(`configuration path="${config}" rule=directory of the executable`);
          expect(await target.queryThroughAgent()).toEqual(EXPECTED_ROWS);
        } finally {
          expect(await agent.stop()).toBe(0);
        }
      } finally {
        await rm(config, { force: true });
        await target.close();
      }
    });
  });
});

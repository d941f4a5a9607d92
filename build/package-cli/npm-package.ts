/**
 * The CLI alone as an npm package, `cluvio-agent`: generated at pack time into a folder of its
 * own (the repository's package.json is private and lists Electron, React and the test tools).
 *
 * - Files: the compiled modules that `cluvio-agent` and `cluvio-gateway` load (esbuild's module
 *   graph of src/cli/agent.ts and src/cli/gateway.ts, mapped to tsc's dist/), their source maps,
 *   and dist/renderer for `--dashboard`. Nothing of the desktop app (refused by cli-bundle.ts).
 * - dependencies: the npm packages those modules import, with package.json's ranges; every one
 *   must be a runtime dependency there. npm-shrinkwrap.json pins them and what they pull to the
 *   versions in package-lock.json, which the tests ran (npm honours a shrinkwrap on install,
 *   global installs included).
 * - engines: package.json's `engines.node`, which must not be lower than any installed package
 *   asks for (checked here).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliModuleGraph } from './cli-bundle.ts';
import { COMMAND_NAME, DESCRIPTION, HOMEPAGE, repoRoot, rootManifest } from './project.ts';
import { runCommand } from './run-command.ts';

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly engines?: Readonly<Record<string, string>> | readonly string[];
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
  readonly peer?: boolean;
  readonly [key: string]: unknown;
}

interface Lockfile {
  readonly lockfileVersion: number;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

export interface NpmPackage {
  readonly tarball: string;
  readonly dependencies: Readonly<Record<string, string>>;
  /** Every package the install pulls, `name@version`. */
  readonly installs: readonly string[];
  readonly files: number;
}

/** The lockfile path where Node would find `name` from the package at `from` ('' = the root). */
function resolveInLock(packages: Lockfile['packages'], from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return null;
    const at = base.lastIndexOf('node_modules/');
    base = at <= 0 ? '' : base.slice(0, at - 1);
  }
}

/** The lockfile entries the runtime dependencies pull, keyed as in package-lock.json. */
function lockSubset(lock: Lockfile, dependencies: readonly string[]): Map<string, LockEntry> {
  const subset = new Map<string, LockEntry>();
  const queue = dependencies.map((name) => ({ from: '', name, optional: false }));
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const key = resolveInLock(lock.packages, next.from, next.name);
    if (key === null) {
      if (next.optional) continue;
      throw new Error(`package-lock.json has no ${next.name} for ${next.from || 'the root'}: run npm install`);
    }
    if (subset.has(key)) continue;
    const entry = lock.packages[key];
    if (entry === undefined) continue;
    subset.set(key, entry);
    for (const name of Object.keys(entry.dependencies ?? {})) queue.push({ from: key, name, optional: false });
    for (const name of Object.keys(entry.optionalDependencies ?? {})) queue.push({ from: key, name, optional: true });
  }
  return subset;
}

/** The lowest Node version a range admits (`>=20.19`, `>= 6.0.0`, `^20.19.0 || >=22.12`), as [major, minor, patch]. */
export function lowestNodeVersion(range: string): [number, number, number] {
  const lows = range.split('||').map((alternative) => {
    const match = /^\s*(?:>=|\^|~)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(alternative);
    if (match === null) throw new Error(`cannot read the Node.js range ${JSON.stringify(range)}`);
    return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] as [number, number, number];
  });
  lows.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const lowest = lows[0];
  if (lowest === undefined) throw new Error(`cannot read the Node.js range ${JSON.stringify(range)}`);
  return lowest;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i += 1) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function checkEngines(ours: string, subset: Map<string, LockEntry>): void {
  const floor = lowestNodeVersion(ours);
  for (const [key, entry] of subset) {
    const engines = entry.engines;
    const node =
      engines !== undefined && !Array.isArray(engines) ? (engines as Record<string, string>).node : undefined;
    if (node === undefined) continue;
    if (compareVersions(lowestNodeVersion(node), floor) > 0)
      throw new Error(
        `${key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)} needs Node.js ${node}, above package.json's engines.node ${ours}: raise engines.node`,
      );
  }
}

function npm(args: readonly string[]): string {
  // Under `npm run`, the npm that runs us; otherwise the one on PATH (on Windows npm is a .cmd,
  // which Node no longer spawns without a shell: there, go through `npm run package:cli`).
  const npmCli = process.env.npm_execpath;
  if (npmCli !== undefined && npmCli.endsWith('.js')) return runCommand(process.execPath, [npmCli, ...args]);
  if (process.platform === 'win32') throw new Error('on Windows, run this as npm run package:cli');
  return runCommand('npm', args);
}

export async function buildNpmPackage(stagingDir: string, outputDir: string): Promise<NpmPackage> {
  const root = rootManifest();
  const graph = await cliModuleGraph();
  const dependencies: Record<string, string> = {};
  for (const name of graph.packages) {
    const range = root.dependencies[name];
    if (range === undefined)
      throw new Error(
        `the CLI imports ${name}, which is not among package.json's dependencies (a dev dependency is not installed for users)`,
      );
    dependencies[name] = range;
  }

  rmSync(stagingDir, { recursive: true, force: true });
  mkdirSync(stagingDir, { recursive: true });
  let files = 0;
  for (const source of graph.sources) {
    const compiled = path.join('dist', source.replace(/\.ts$/, '.js'));
    if (!existsSync(path.join(repoRoot, compiled))) throw new Error(`${compiled} is missing: run npm run build first`);
    for (const file of [compiled, `${compiled}.map`]) {
      if (!existsSync(path.join(repoRoot, file))) continue;
      cpSync(path.join(repoRoot, file), path.join(stagingDir, file));
      files += 1;
    }
  }
  const renderer = path.join(repoRoot, 'dist', 'renderer');
  if (!existsSync(path.join(renderer, 'index.html')))
    throw new Error(`${renderer}/index.html is missing: run npm run build first`);
  cpSync(renderer, path.join(stagingDir, 'dist', 'renderer'), { recursive: true });

  const manifest = {
    name: COMMAND_NAME,
    version: root.version,
    description: DESCRIPTION.join(' '),
    license: root.license,
    homepage: HOMEPAGE,
    keywords: ['cluvio', 'agent', 'tunnel', 'database', 'yamux'],
    type: 'module',
    bin: { 'cluvio-agent': 'dist/src/cli/agent.js', 'cluvio-gateway': 'dist/src/cli/gateway.js' },
    // npm packs a shrinkwrap only when `files` names it.
    files: ['dist', 'npm-shrinkwrap.json'],
    engines: { node: root.engines.node },
    dependencies,
  };
  writeFileSync(path.join(stagingDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const subset = lockSubset(lock, Object.keys(dependencies));
  checkEngines(root.engines.node, subset);
  const packages: Record<string, unknown> = {
    '': {
      name: manifest.name,
      version: manifest.version,
      license: manifest.license,
      dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [key, entry] of [...subset].sort(([a], [b]) => a.localeCompare(b))) {
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    packages[key] = kept;
  }
  writeFileSync(
    path.join(stagingDir, 'npm-shrinkwrap.json'),
    `${JSON.stringify({ name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
  cpSync(path.join(repoRoot, 'packaging', 'npm', 'README.md'), path.join(stagingDir, 'README.md'));

  mkdirSync(outputDir, { recursive: true });
  const packed = JSON.parse(npm(['pack', stagingDir, '--pack-destination', outputDir, '--json'])) as {
    filename: string;
  }[];
  const filename = packed[0]?.filename;
  if (filename === undefined) throw new Error('npm pack reported no tarball');
  const installs = [...subset].map(
    ([key, entry]) => `${key.slice(key.lastIndexOf('node_modules/') + 13)}@${entry.version ?? '?'}`,
  );
  return { tarball: path.join(outputDir, filename), dependencies, installs: installs.sort(), files };
}

/**
 * The CLI's code as esbuild sees it: one CommonJS bundle for the single executable, and the
 * module graph of `cluvio-agent` and `cluvio-gateway` for the npm package. Both refuse a graph
 * that reaches the desktop app (Electron, electron-log, React, src/main, src/preload,
 * src/renderer) and name the chain of imports that got there.
 */
import path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from './project.ts';

/** The single executable's entry: the CLI with the executable's own folder and its UI assets. */
export const EXECUTABLE_ENTRY = 'src/cli/agent-executable.ts';
/** What the npm package's two commands run (compiled to dist/ by tsc). */
export const NPM_ENTRIES = ['src/cli/agent.ts', 'src/cli/gateway.ts'] as const;

const FORBIDDEN = [/(^|\/)node_modules\/(electron|electron-log|react|react-dom)\//, /^src\/(main|preload|renderer)\//];
const FORBIDDEN_PACKAGES = new Set(['electron', 'electron-log', 'react', 'react-dom']);

/** The package name of a bare import (`@noble/curves/ed25519.js` → `@noble/curves`), or null for a built-in. */
export function packageOfImport(specifier: string): string | null {
  if (specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? null);
}

/** The import chain from an entry to `target`, for the error message. */
function chainTo(metafile: esbuild.Metafile, entries: readonly string[], target: string): string[] {
  const previous = new Map<string, string | null>(entries.map((entry) => [entry, null]));
  const queue = [...entries];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    if (current === target) break;
    for (const imported of metafile.inputs[current]?.imports ?? []) {
      const next = imported.external === true ? `(external) ${imported.path}` : imported.path;
      if (previous.has(next)) continue;
      previous.set(next, current);
      if (imported.external !== true) queue.push(next);
      else if (next === target) queue.unshift(next);
    }
  }
  const chain: string[] = [];
  for (let step: string | null | undefined = target; step !== null && step !== undefined; step = previous.get(step))
    chain.unshift(step);
  return chain;
}

function refuseDesktopCode(metafile: esbuild.Metafile, entries: readonly string[]): void {
  const offenders: string[] = [];
  for (const [input, details] of Object.entries(metafile.inputs)) {
    if (FORBIDDEN.some((pattern) => pattern.test(input))) offenders.push(input);
    for (const imported of details.imports) {
      const name = imported.external === true ? packageOfImport(imported.path) : null;
      if (name !== null && FORBIDDEN_PACKAGES.has(name)) offenders.push(`(external) ${imported.path}`);
    }
  }
  if (offenders.length === 0) return;
  const chains = [...new Set(offenders)].map(
    (offender) => `  ${chainTo(metafile, entries, offender).join('\n    → ')}`,
  );
  throw new Error(
    `the CLI must not contain the desktop app (Electron, electron-log, React, src/main, src/preload, src/renderer), but it imports:\n${chains.join('\n')}`,
  );
}

/** Bundles the executable's entry and everything it imports into one CommonJS file. */
export async function bundleExecutable(outfile: string, version: string): Promise<esbuild.Metafile> {
  const result = await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: [EXECUTABLE_ENTRY],
    outfile,
    bundle: true,
    // Node 24's single executable runs a CommonJS main (`"mainFormat": "module"` came in Node 25).
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    metafile: true,
    logLevel: 'warning',
    // Readable stack traces in bug reports beat a few hundred kilobytes in a 100 MB binary.
    minify: false,
    legalComments: 'eof',
    define: {
      CLUVIO_AGENT_BUNDLED_VERSION: JSON.stringify(version),
      // There is no import.meta in CommonJS: the modules that ask (package-version.ts,
      // renderer-files.ts) get the executable's own URL, and neither needs it once the version
      // and the UI folder are provided.
      'import.meta.url': 'CLUVIO_AGENT_EXECUTABLE_URL',
    },
    banner: { js: "const CLUVIO_AGENT_EXECUTABLE_URL = require('node:url').pathToFileURL(__filename).href;" },
  });
  refuseDesktopCode(result.metafile, [EXECUTABLE_ENTRY]);
  return result.metafile;
}

export interface CliModuleGraph {
  /** Source files (`src/…/*.ts`, relative to the repository) the two commands load. */
  readonly sources: readonly string[];
  /** npm packages they import. */
  readonly packages: readonly string[];
}

/** The sources and packages `cluvio-agent` and `cluvio-gateway` reach, without writing anything. */
export async function cliModuleGraph(): Promise<CliModuleGraph> {
  const result = await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: [...NPM_ENTRIES],
    outdir: path.join(repoRoot, 'release', '.unused'),
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
  });
  refuseDesktopCode(result.metafile, NPM_ENTRIES);
  const sources = Object.keys(result.metafile.inputs).filter((input) => input.startsWith('src/'));
  const packages = new Set<string>();
  for (const details of Object.values(result.metafile.inputs))
    for (const imported of details.imports) {
      const name = imported.external === true ? packageOfImport(imported.path) : null;
      if (name !== null) packages.add(name);
    }
  return { sources: sources.sort(), packages: [...packages].sort() };
}

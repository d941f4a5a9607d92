/**
 * `cluvio-agent` as one executable that needs no Node.js on the machine: Node's single executable
 * applications (SEA). The CLI is bundled into one CommonJS script, Node turns it (with the
 * dashboard's UI files as assets) into a preparation blob, and postject injects the
 * blob into a copy of the Node 24 LTS binary that npm installed (npmNodeBinary()), never the
 * machine's own node. The blob must come from the very binary it goes into, so the binary that
 * prepares it is that copy's original.
 *
 * Per platform, as Node's documentation prescribes:
 * - Linux: the copy is stripped of its symbol tables and debug information when `strip` exists
 *   (126 → 108 MB for 24.21; the dynamic symbols that native crash traces use stay).
 * - macOS: the signature is removed before injection (`codesign --remove-signature`), the blob
 *   goes into the `NODE_SEA` Mach-O segment (`postject --macho-segment-name NODE_SEA`), and the
 *   result is signed again: with `CLUVIO_CODESIGN_IDENTITY` (a "Developer ID Application"
 *   identity) under the hardened runtime with build/entitlements.mac.plist (V8 needs allow-jit),
 *   ready for `xcrun notarytool`; without it ad hoc (`codesign --sign -`), enough to run on the
 *   machine that built it.
 * - Windows: `cluvio-agent.exe`; Node's Authenticode signature no longer matches after injection
 *   and is left as is: sign the result with `signtool sign` for distribution.
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RELAY_NODE_FLAGS } from '../../src/tunnel/mux/heap-tuning.ts';
import { bundleExecutable } from './cli-bundle.ts';
import { npmNodeBinary, repoRoot } from './project.ts';
import { hasCommand, runCommand } from './run-command.ts';

/** The fuse in Node's binary that postject flips to say "a blob was injected" (Node's documentation). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** Keep in step with DASHBOARD_UI_ASSET_PREFIX in src/cli/executable-ui-assets.ts. */
const UI_ASSET_PREFIX = 'dashboard-ui/';

export interface SingleExecutable {
  readonly path: string;
  /** Packages inside the bundle (for the third-party notices), from esbuild's metafile. */
  readonly bundledInputs: readonly string[];
  readonly stripped: boolean;
  readonly signature: 'none' | 'ad hoc' | 'identity';
}

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(dir, relative) : [relative];
  });
}

function dashboardUiAssets(): Record<string, string> {
  const rendererDir = path.join(repoRoot, 'dist', 'renderer');
  let files: string[];
  try {
    files = filesUnder(rendererDir);
  } catch {
    files = [];
  }
  if (!files.includes('index.html'))
    throw new Error(
      `${rendererDir}/index.html is missing: run npm run build first (the dashboard's UI goes into the executable)`,
    );
  return Object.fromEntries(files.map((file) => [`${UI_ASSET_PREFIX}${file}`, path.join(rendererDir, file)]));
}

export async function buildSingleExecutable(
  workDir: string,
  outputDir: string,
  version: string,
): Promise<SingleExecutable> {
  const node = npmNodeBinary();
  const nodeVersion = runCommand(node, ['--version']).trim();
  if (!/^v24\./.test(nodeVersion))
    throw new Error(
      `${node} is Node.js ${nodeVersion}; the executable is built from Node 24 LTS (package.json's "node" dev dependency)`,
    );
  mkdirSync(workDir, { recursive: true });
  mkdirSync(outputDir, { recursive: true });

  const script = path.join(workDir, 'cluvio-agent.cjs');
  const metafile = await bundleExecutable(script, version);

  const blob = path.join(workDir, 'cluvio-agent.blob');
  const seaConfig = path.join(workDir, 'sea-config.json');
  writeFileSync(
    seaConfig,
    `${JSON.stringify(
      {
        main: script,
        output: blob,
        disableExperimentalSEAWarning: true,
        // No code cache: V8 rejects it when the flags differ from the build's, and the systemd
        // unit's NODE_OPTIONS=--abort-on-uncaught-exception does, so every service start printed
        // "Warning: Code cache data rejected." It bought nothing measurable either: `--version`
        // costs 50 ms of CPU with it and without it (20 runs each, 2 shared cores).
        useCodeCache: false,
        // No startup snapshot: the CLI would have to be rewritten around v8.startupSnapshot
        // (no handles or sockets while the snapshot is taken) for a start that is already short.
        useSnapshot: false,
        // The flags a relaying process starts with (src/tunnel/mux/heap-tuning.ts), as the npm
        // script's shebang gives them; NODE_OPTIONS still applies, as to `node` (the unit's
        // --abort-on-uncaught-exception).
        execArgv: [...RELAY_NODE_FLAGS],
        execArgvExtension: 'env',
        assets: dashboardUiAssets(),
      },
      null,
      2,
    )}\n`,
  );
  runCommand(node, ['--experimental-sea-config', seaConfig]);

  const output = path.join(outputDir, process.platform === 'win32' ? 'cluvio-agent.exe' : 'cluvio-agent');
  rmSync(output, { force: true });
  // A copy, never the file itself: node_modules/node/bin/node is a hard link to npm's package.
  copyFileSync(node, output);
  chmodSync(output, 0o755);

  let stripped = false;
  if (process.platform === 'linux' && hasCommand('strip')) {
    runCommand('strip', [output]);
    stripped = true;
  }
  if (process.platform === 'darwin') runCommand('codesign', ['--remove-signature', output]);

  runCommand(process.execPath, [
    path.join(repoRoot, 'node_modules', 'postject', 'dist', 'cli.js'),
    output,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    SEA_FUSE,
    ...(process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
  ]);

  let signature: SingleExecutable['signature'] = 'none';
  if (process.platform === 'darwin') {
    const identity = process.env.CLUVIO_CODESIGN_IDENTITY;
    if (identity !== undefined && identity !== '') {
      runCommand('codesign', [
        '--sign',
        identity,
        '--force',
        '--timestamp',
        '--options',
        'runtime',
        '--entitlements',
        path.join(repoRoot, 'build', 'entitlements.mac.plist'),
        output,
      ]);
      signature = 'identity';
    } else {
      runCommand('codesign', ['--sign', '-', '--force', output]);
      signature = 'ad hoc';
    }
  }

  // The executable answers as the CLI does, or the build fails here rather than in a user's hands.
  const printed = runCommand(output, ['--version'], { env: { ...process.env, NODE_OPTIONS: '' } }).trim();
  if (printed !== version)
    throw new Error(`${output} --version printed ${JSON.stringify(printed)}, expected ${version}`);

  return { path: output, bundledInputs: Object.keys(metafile.inputs), stripped, signature };
}

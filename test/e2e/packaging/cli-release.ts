/**
 * The artefacts of `npm run package:cli` for the packaging tests, built once per test run: the
 * first test file that asks runs build/package-cli/package-cli.ts (after `npm run build`, which
 * `npm test` runs first) while holding a lock, and records what it built from; the others wait
 * for the lock and reuse the result when dist/, the packaging scripts and templates, the unit
 * and the manifests are unchanged. Building takes 41 s on the CI machine's 2 shared cores.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../support/vectors.js';

/**
 * The artefacts checked here are the Linux x86-64 ones (the CI machine's). On macOS and Windows,
 * `npm run package:cli` builds the executable and the npm package and runs `--version` on the
 * executable itself; these tests are skipped there.
 */
export const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64';

export interface CliRelease {
  readonly version: string;
  readonly executable: string;
  readonly archive: string;
  readonly deb: string;
  readonly npmTarball: string;
  /** Only where rpmbuild is installed. */
  readonly rpm: string | null;
  /** What package-cli printed when this run built the artefacts ('' when they were reused). */
  readonly buildLog: string;
}

const releaseDir = path.join(repoRoot, 'release');
const lockDir = path.join(releaseDir, '.package-cli-test.lock');
const stampFile = path.join(releaseDir, '.package-cli-test.stamp');
const INPUTS = [
  'dist/src',
  'dist/renderer',
  'build/package-cli',
  'packaging',
  'build/cluvio-agent.service',
  'build/entitlements.mac.plist',
  'package.json',
  'package-lock.json',
];

function filesUnder(file: string): string[] {
  if (!existsSync(file)) return [];
  if (!statSync(file).isDirectory()) return [file];
  return readdirSync(file)
    .sort()
    .flatMap((name) => filesUnder(path.join(file, name)));
}

function inputsHash(): string {
  const hash = createHash('sha256');
  // Whether this run can build an .rpm is part of what was built.
  hash.update(
    `rpmbuild: ${String(spawnSync('sh', ['-c', 'command -v rpmbuild'], { stdio: 'ignore' }).status === 0)}\n`,
  );
  for (const input of INPUTS)
    for (const file of filesUnder(path.join(repoRoot, input))) {
      hash.update(path.relative(repoRoot, file));
      hash.update(readFileSync(file));
    }
  return hash.digest('hex');
}

function artefacts(version: string, buildLog: string): CliRelease | null {
  const rpm = readdirSync(releaseDir).find(
    (name) => name.startsWith(`cluvio-agent-${version}-`) && name.endsWith('.rpm'),
  );
  const release: CliRelease = {
    version,
    executable: path.join(releaseDir, 'cluvio-agent'),
    archive: path.join(releaseDir, `cluvio-agent-${version}-x86_64-linux.tar.gz`),
    deb: path.join(releaseDir, `cluvio-agent_${version}_amd64.deb`),
    npmTarball: path.join(releaseDir, `cluvio-agent-${version}.tgz`),
    rpm: rpm === undefined ? null : path.join(releaseDir, rpm),
    buildLog,
  };
  const required = [release.executable, release.archive, release.deb, release.npmTarball];
  return required.every((file) => existsSync(file)) ? release : null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** mkdir is atomic: whoever creates the folder builds; a lock left by a dead process is taken over. */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(releaseDir, { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        // Just created, pid not written yet.
      }
      if (Number.isInteger(owner) && !pidAlive(owner)) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${lockDir} is held by process ${owner} for 5 minutes`);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

let cached: Promise<CliRelease> | undefined;

export function cliRelease(): Promise<CliRelease> {
  cached ??= withLock(async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64')
      throw new Error('the packaging tests build and check the Linux x86-64 artefacts');
    for (const built of ['dist/src/cli/agent.js', 'dist/renderer/index.html'])
      if (!existsSync(path.join(repoRoot, built))) throw new Error(`${built} is missing: run npm run build first`);
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const hash = inputsHash();
    const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
    const reused = stamp === hash ? artefacts(version, '') : null;
    if (reused !== null) return reused;
    rmSync(stampFile, { force: true });
    const log = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [path.join(repoRoot, 'build', 'package-cli', 'package-cli.ts')],
        { cwd: repoRoot, timeout: 280_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error === null) resolve(`${stdout}${stderr}`);
          else reject(new Error(`package-cli failed: ${error.message}\n${stdout}${stderr}`));
        },
      );
    });
    const built = artefacts(version, log);
    if (built === null) throw new Error(`package-cli did not write every artefact:\n${log}`);
    writeFileSync(stampFile, hash);
    return built;
  });
  return cached;
}

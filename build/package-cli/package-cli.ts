/**
 * `npm run package:cli`: the headless agent in the forms the reference agent ships, built into
 * release/ for the platform this runs on (after `npm run build`, which the npm script runs first):
 *
 * - `cluvio-agent` (`cluvio-agent.exe` on Windows): one executable with the Node 24 runtime
 *   inside (single-executable.ts), and its archive `cluvio-agent-<version>-<arch>-<os>.tar.gz`
 *   (`.zip` on Windows), as the reference's releases;
 * - on Linux: `cluvio-agent_<version>_<arch>.deb` (dpkg-deb), and the .rpm where `rpmbuild` is
 *   installed;
 * - everywhere: `cluvio-agent-<version>.tgz`, the CLI as an npm package;
 * - `SHA256SUMS` of all of them (the Homebrew formula takes the archives' sums).
 *
 * Usage: node build/package-cli/package-cli.ts [--only executable,archive,deb,rpm,npm]
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDeb } from './deb-package.ts';
import { buildExecutableArchive } from './executable-archive.ts';
import { buildNpmPackage } from './npm-package.ts';
import { npmNodeBinary, releaseDir, rootManifest, workDir } from './project.ts';
import { buildRpm } from './rpm-package.ts';
import { hasCommand } from './run-command.ts';
import { buildSingleExecutable } from './single-executable.ts';
import { thirdPartyNotices } from './third-party-notices.ts';

const STEPS = ['executable', 'archive', 'deb', 'rpm', 'npm'] as const;
type Step = (typeof STEPS)[number];

function parseSteps(argv: readonly string[]): Set<Step> {
  const at = argv.indexOf('--only');
  if (at < 0) return new Set(STEPS);
  const wanted = (argv[at + 1] ?? '').split(',').filter((step) => step !== '');
  const unknown = wanted.filter((step) => !(STEPS as readonly string[]).includes(step));
  if (wanted.length === 0 || unknown.length > 0)
    throw new Error(
      `--only takes a comma-separated list of ${STEPS.join(', ')}${unknown.length > 0 ? `, not ${unknown.join(', ')}` : ''}`,
    );
  return new Set(wanted as Step[]);
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function megabytes(file: string): string {
  return `${(statSync(file).size / 1e6).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const steps = parseSteps(process.argv.slice(2));
  const { version, license } = rootManifest();
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const built: string[] = [];
  const timed = async <T>(label: string, step: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await step();
    console.log(`package-cli: ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };

  const needsExecutable = steps.has('executable') || steps.has('archive') || steps.has('deb') || steps.has('rpm');
  if (needsExecutable) {
    const executable = await timed('single executable', () =>
      buildSingleExecutable(path.join(workDir, 'executable'), releaseDir, version),
    );
    console.log(
      `  ${executable.path}: ${megabytes(executable.path)}${executable.stripped ? ', stripped' : ''}${executable.signature === 'none' ? '' : `, signed ${executable.signature}`}`,
    );
    built.push(executable.path);
    const notices = thirdPartyNotices(executable.bundledInputs, npmNodeBinary());
    const inputs = { executable: executable.path, notices, version, license };

    if (steps.has('archive')) {
      const archive = await timed('archive', () =>
        buildExecutableArchive(executable.path, notices, version, path.join(workDir, 'archive'), releaseDir),
      );
      console.log(`  ${archive}: ${megabytes(archive)}`);
      built.push(archive);
    }
    if (steps.has('deb') && process.platform === 'linux') {
      if (hasCommand('dpkg-deb')) {
        const deb = await timed('.deb', () => buildDeb(inputs, path.join(workDir, 'deb'), releaseDir));
        console.log(`  ${deb}: ${megabytes(deb)}`);
        built.push(deb);
      } else console.log('package-cli: no dpkg-deb on this machine: no .deb');
    }
    if (steps.has('rpm') && process.platform === 'linux') {
      if (hasCommand('rpmbuild')) {
        const rpm = await timed('.rpm', () => buildRpm(inputs, path.join(workDir, 'rpm'), releaseDir));
        console.log(`  ${rpm}: ${megabytes(rpm)}`);
        built.push(rpm);
      } else console.log('package-cli: no rpmbuild on this machine (e.g. apt-get install rpm): no .rpm');
    }
  }
  if (steps.has('npm')) {
    const npmPackage = await timed('npm package', () => buildNpmPackage(path.join(workDir, 'npm'), releaseDir));
    console.log(
      `  ${npmPackage.tarball}: ${megabytes(npmPackage.tarball)}, ${npmPackage.files} files; installs ${npmPackage.installs.length} packages: ${npmPackage.installs.join(' ')}`,
    );
    built.push(npmPackage.tarball);
  }

  const sums = await Promise.all(built.map(async (file) => `${await sha256(file)}  ${path.basename(file)}\n`));
  writeFileSync(path.join(releaseDir, 'SHA256SUMS'), sums.join(''));
  console.log(`package-cli: ${path.join(releaseDir, 'SHA256SUMS')}`);
}

try {
  await main();
} catch (error) {
  console.error(`package-cli: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

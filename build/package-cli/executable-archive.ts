/**
 * The executable in an archive named as the reference's releases, `cluvio-agent-<version>-<arch>-<os>`,
 * holding the executable and THIRD-PARTY-NOTICES.txt; the Homebrew formula and a manual install
 * download it. A .tar.gz rather than the reference's .tar.xz: tar and gzip are on every Debian
 * (xz-utils is not in a minimal one), and xz saved 8 of 40 MB for 50 % more CPU. A .zip on Windows.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_NAME, releasePlatform } from './project.ts';
import { runCommand } from './run-command.ts';

export function buildExecutableArchive(
  executable: string,
  notices: string,
  version: string,
  stagingDir: string,
  outputDir: string,
): string {
  rmSync(stagingDir, { recursive: true, force: true });
  mkdirSync(stagingDir, { recursive: true });
  const name = path.basename(executable);
  copyFileSync(executable, path.join(stagingDir, name));
  writeFileSync(path.join(stagingDir, 'THIRD-PARTY-NOTICES.txt'), notices);
  const base = `${COMMAND_NAME}-${version}-${releasePlatform()}`;
  if (process.platform === 'win32') {
    const output = path.join(outputDir, `${base}.zip`);
    rmSync(output, { force: true });
    // Windows 10 and later ship bsdtar, which writes a zip for a .zip name with -a.
    runCommand('tar', ['-a', '-c', '-f', output, '-C', stagingDir, name, 'THIRD-PARTY-NOTICES.txt']);
    return output;
  }
  const output = path.join(outputDir, `${base}.tar.gz`);
  rmSync(output, { force: true });
  runCommand('tar', ['-c', '-z', '-f', output, '-C', stagingDir, name, 'THIRD-PARTY-NOTICES.txt']);
  return output;
}

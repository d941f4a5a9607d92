/**
 * The executable as the reference releases it: `cluvio-agent-<version>-<arch>-<os>.tar.xz`
 * (a .zip on Windows) holding the executable, here with THIRD-PARTY-NOTICES.txt beside it. The
 * Homebrew formula and a manual install download this.
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
  const output = path.join(outputDir, `${base}.tar.xz`);
  rmSync(output, { force: true });
  // GNU tar runs xz, which reads XZ_OPT: level 1 packs 110 MB into 32 MB in seconds rather than a minute.
  runCommand('tar', ['-c', '-J', '-f', output, '-C', stagingDir, name, 'THIRD-PARTY-NOTICES.txt'], {
    env: { ...process.env, XZ_OPT: '-1 -T0' },
  });
  return output;
}

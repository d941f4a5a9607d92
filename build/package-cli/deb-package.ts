/**
 * The Debian package, built with `dpkg-deb` (on every Debian and Ubuntu), laid out as the
 * reference agent's (cargo-deb): the executable in /usr/bin, the systemd unit enabled at
 * installation and not started, stopped at removal; /etc/cluvio-agent.toml is not part of the
 * package, so neither removal nor purge touches it. Maintainer scripts: packaging/linux/debian.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKAGED_EXECUTABLE, UNIT_DIR, UNIT_NAME, packagedUnit } from './linux-unit.ts';
import { COMMAND_NAME, DESCRIPTION, HOMEPAGE, MAINTAINER, SUMMARY, repoRoot } from './project.ts';
import { runCommand } from './run-command.ts';

/**
 * What Node's official Linux binary links against: glibc 2.28 (the newest GLIBC_ symbol
 * version it uses), libstdc++ from GCC 7 (CXXABI_1.3.11; its newest GLIBCXX_ is 3.4.21, GCC 5)
 * and libgcc_s. Checked against the binary by test/e2e/packaging/cli-deb.test.ts.
 */
export const DEB_DEPENDS = 'libc6 (>= 2.28), libgcc-s1 | libgcc1, libstdc++6 (>= 7)';
const DEB_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };
/**
 * gzip: dpkg-deb packs the 110 MB tree into 40 MB in 4 s of CPU, where xz takes 14 s at level 1
 * (32 MB) and about a minute at dpkg's default level 6 (27 MB); every dpkg reads gzip.
 */
const COMPRESSION = ['-Zgzip', '-z6'];

export interface DebInputs {
  readonly executable: string;
  readonly notices: string;
  readonly version: string;
  readonly license: string;
}

function write(file: string, content: string | Buffer, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, content, { mode });
  chmodSync(file, mode);
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(dir, relative) : [relative];
  });
}

/** 0755 on every folder whatever the umask, as installed folders must be. */
function openFolders(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) openFolders(path.join(dir, entry.name));
}

function copyright(license: string): string {
  return [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    `Upstream-Name: ${COMMAND_NAME}`,
    '',
    'Files: *',
    'Copyright: Cluvio GmbH',
    `License: ${license}`,
    ' The executable embeds the Node.js runtime and npm packages under their own licences:',
    ' see /usr/share/doc/cluvio-agent/THIRD-PARTY-NOTICES.txt.gz.',
    '',
  ].join('\n');
}

export function buildDeb(inputs: DebInputs, stagingDir: string, outputDir: string): string {
  const arch = DEB_ARCH[process.arch];
  if (process.platform !== 'linux' || arch === undefined)
    throw new Error(`no .deb for ${process.platform}-${process.arch}`);
  rmSync(stagingDir, { recursive: true, force: true });
  mkdirSync(stagingDir, { recursive: true, mode: 0o755 });

  const executable = path.join(stagingDir, PACKAGED_EXECUTABLE);
  mkdirSync(path.dirname(executable), { recursive: true, mode: 0o755 });
  copyFileSync(inputs.executable, executable);
  chmodSync(executable, 0o755);
  write(path.join(stagingDir, UNIT_DIR, UNIT_NAME), packagedUnit(), 0o644);
  const docDir = path.join(stagingDir, 'usr', 'share', 'doc', COMMAND_NAME);
  write(path.join(docDir, 'copyright'), copyright(inputs.license), 0o644);
  write(path.join(docDir, 'THIRD-PARTY-NOTICES.txt.gz'), gzipSync(inputs.notices, { level: 9 }), 0o644);

  const payload = filesUnder(stagingDir).sort();
  const installedKiB = Math.ceil(
    payload.reduce((sum, file) => sum + statSync(path.join(stagingDir, file)).size, 0) / 1024,
  );
  const md5sums = payload
    .map(
      (file) =>
        `${createHash('md5')
          .update(readFileSync(path.join(stagingDir, file)))
          .digest('hex')}  ${file}\n`,
    )
    .join('');

  const control = path.join(stagingDir, 'DEBIAN');
  mkdirSync(control, { mode: 0o755 });
  write(
    path.join(control, 'control'),
    [
      `Package: ${COMMAND_NAME}`,
      `Version: ${inputs.version}`,
      `Architecture: ${arch}`,
      `Maintainer: ${MAINTAINER}`,
      `Installed-Size: ${installedKiB}`,
      `Depends: ${DEB_DEPENDS}`,
      'Section: net',
      'Priority: optional',
      `Homepage: ${HOMEPAGE}`,
      `Description: ${SUMMARY}`,
      ...DESCRIPTION.map((line) => ` ${line}`),
      ' .',
      ' The systemd unit is enabled at installation and starts once /etc/cluvio-agent.toml',
      ' (the configuration downloaded from Cluvio) is in place: systemctl start cluvio-agent.',
      '',
    ].join('\n'),
    0o644,
  );
  write(path.join(control, 'md5sums'), md5sums, 0o644);
  for (const script of ['postinst', 'prerm', 'postrm'])
    write(path.join(control, script), readFileSync(path.join(repoRoot, 'packaging', 'linux', 'debian', script)), 0o755);

  openFolders(stagingDir);
  const output = path.join(outputDir, `${COMMAND_NAME}_${inputs.version}_${arch}.deb`);
  rmSync(output, { force: true });
  runCommand('dpkg-deb', ['--root-owner-group', ...COMPRESSION, '--build', stagingDir, output]);
  return output;
}

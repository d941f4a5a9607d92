/**
 * The .rpm of `npm run package:cli`, which is built only where rpmbuild is installed: read with
 * `rpm -qp` — the executable in /usr/bin, the unit, no configuration; the library requirements
 * rpm found in the executable; scriptlets that enable the unit at the first installation without
 * starting it, stop and disable it at the removal, and restart a running service after an
 * upgrade — then installed and erased for real with `rpm --root` in a scratch root
 * (`--noscripts`: the scriptlets would call systemctl on this machine). Skipped where rpm is
 * not installed (Debian, and so the CI machine, has none by default).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRelease, LINUX_X64, type CliRelease } from './cli-release.js';

const run = promisify(execFile);
const hasRpm = ['rpm', 'rpmbuild'].every((tool) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0);

let release: CliRelease;
let rpmFile = '';
let work = '';

const query = async (...args: string[]): Promise<string> => (await run('rpm', ['-qp', ...args, rpmFile])).stdout;

describe.skipIf(!LINUX_X64 || !hasRpm)('the .rpm (skipped where rpm and rpmbuild are not installed)', () => {
  beforeAll(async () => {
    release = await cliRelease();
    if (release.rpm === null)
      throw new Error(`rpmbuild is installed but package-cli built no .rpm:\n${release.buildLog}`);
    rpmFile = release.rpm;
    work = await mkdtemp(path.join(tmpdir(), 'cluvio-rpm-'));
  }, 300_000);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('names the package and holds the executable, the unit and the notices, owned by root, and no configuration', async () => {
    expect(await query('--queryformat', '%{NAME} %{VERSION} %{ARCH} %{LICENSE}')).toBe(
      `cluvio-agent ${release.version} x86_64 MIT`,
    );
    const files = (await query('--queryformat', '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]'))
      .trim()
      .split('\n')
      .sort();
    expect(files).toEqual([
      '-rw-r--r-- root:root /usr/lib/systemd/system/cluvio-agent.service',
      '-rw-r--r-- root:root /usr/share/doc/cluvio-agent/THIRD-PARTY-NOTICES.txt',
      '-rwxr-xr-x root:root /usr/bin/cluvio-agent',
    ]);
  });

  it('requires the libraries of Node’s binary, found by rpm, and provides no library', async () => {
    const requires = (await query('--requires')).trim().split('\n');
    for (const library of [
      'libc.so.6(GLIBC_2.28)(64bit)',
      'libstdc++.so.6(CXXABI_1.3.11)(64bit)',
      'libgcc_s.so.1()(64bit)',
    ])
      expect(requires).toContain(library);
    expect((await query('--provides')).trim().split('\n').sort()).toEqual([
      `cluvio-agent = ${release.version}-1`,
      `cluvio-agent(x86-64) = ${release.version}-1`,
    ]);
  });

  it('enables at the first installation and never starts; stops and disables at removal; try-restarts after an upgrade', async () => {
    const scripts = await query('--scripts');
    const section = (name: string): string => {
      const match = new RegExp(
        `^${name} scriptlet \\(using /bin/sh\\):\\n([\\s\\S]*?)(?=^\\w+ scriptlet|$(?![\\s\\S]))`,
        'm',
      ).exec(scripts);
      return match?.[1] ?? '';
    };
    const actions = (text: string): string[] =>
      [...text.matchAll(/systemctl (?:--no-reload )?([a-z-]+)(?: --now)?/g)].map((match) => match[0]);
    expect(actions(section('postinstall'))).toEqual(['systemctl daemon-reload', 'systemctl --no-reload enable']);
    expect(section('postinstall')).toMatch(
      /if \[ "\$1" -eq 1 \]; then\n\tsystemctl --no-reload enable cluvio-agent\.service/,
    );
    expect(actions(section('preuninstall'))).toEqual(['systemctl --no-reload disable --now']);
    expect(section('preuninstall')).toMatch(/if \[ "\$1" -eq 0 \]; then/);
    expect(actions(section('postuninstall'))).toEqual(['systemctl daemon-reload', 'systemctl try-restart']);
  });

  it('installs into a scratch root and erases cleanly, leaving /etc/cluvio-agent.toml alone', async () => {
    const root = path.join(work, 'root');
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await writeFile(path.join(root, 'etc/cluvio-agent.toml'), 'secret-key = "kept"\n', { mode: 0o600 });
    const rpm = (...args: string[]): Promise<unknown> =>
      run('rpm', [`--root=${root}`, '--nodeps', '--noscripts', ...args]);
    await run('rpm', [`--root=${root}`, '--initdb']);
    await rpm('-i', rpmFile);
    expect((await run(path.join(root, 'usr/bin/cluvio-agent'), ['--version'])).stdout).toBe(`${release.version}\n`);
    expect(existsSync(path.join(root, 'usr/lib/systemd/system/cluvio-agent.service'))).toBe(true);
    await rpm('-e', 'cluvio-agent');
    expect(existsSync(path.join(root, 'usr/bin/cluvio-agent'))).toBe(false);
    expect(existsSync(path.join(root, 'usr/lib/systemd/system/cluvio-agent.service'))).toBe(false);
    expect(await readFile(path.join(root, 'etc/cluvio-agent.toml'), 'utf8')).toBe('secret-key = "kept"\n');
  });
});

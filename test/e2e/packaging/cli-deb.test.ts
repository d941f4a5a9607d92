/**
 * The .deb of `npm run package:cli`, read with dpkg-deb and installed for real with dpkg into a
 * scratch root (`dpkg --root`, maintainer scripts run with DPKG_ROOT, which deb-systemd-helper
 * honours), so that nothing on this machine changes: the executable in /usr/bin, the unit in
 * /usr/lib/systemd/system and enabled but not started, /etc/cluvio-agent.toml left alone by
 * removal and purge — as the reference agent's package does.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/vectors.js';
import { cliRelease, LINUX_X64, type CliRelease } from './cli-release.js';

const run = promisify(execFile);
const has = (command: string): boolean => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command]).status === 0;
const UNIT = 'usr/lib/systemd/system/cluvio-agent.service';
const WANTS = 'etc/systemd/system/multi-user.target.wants/cluvio-agent.service';
const MASK = 'etc/systemd/system/cluvio-agent.service';

let release: CliRelease;
let work = '';
/** The package's files, as dpkg-deb extracts them. */
let extracted: string;

describe.skipIf(!LINUX_X64)('the .deb (Linux x86-64 artefacts)', () => {
  beforeAll(async () => {
    release = await cliRelease();
    work = await mkdtemp(path.join(tmpdir(), 'cluvio-deb-'));
    extracted = path.join(work, 'extracted');
    await run('dpkg-deb', ['-x', release.deb, extracted]);
  }, 300_000);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  describe('the .deb', () => {
    it('names the package, version, architecture and the libraries Node’s binary links against', async () => {
      const { stdout } = await run('dpkg-deb', ['--field', release.deb]);
      const fields = Object.fromEntries(
        [...stdout.matchAll(/^([A-Za-z-]+): (.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
      );
      expect(fields).toMatchObject({
        Package: 'cluvio-agent',
        Version: release.version,
        Architecture: 'amd64',
        Depends: 'libc6 (>= 2.28), libgcc-s1 | libgcc1, libstdc++6 (>= 7)',
        Section: 'net',
      });
      expect(fields.Maintainer).toMatch(/^.+ <.+@.+>$/);
      const info = (await run('dpkg-deb', ['--info', release.deb])).stdout;
      for (const script of ['postinst', 'prerm', 'postrm'])
        expect(info).toMatch(new RegExp(`\\*\\s+${script}\\s+#!/bin/sh`));
    });

    it('holds the executable, the unit and the documents, owned by root, and no configuration', async () => {
      const { stdout } = await run('dpkg-deb', ['--contents', release.deb]);
      const entries = stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [mode = '', owner = '', , , , file = ''] = line.split(/\s+/);
          return `${mode} ${owner} ${file}`;
        })
        .filter((entry) => !entry.startsWith('d'));
      expect(entries.sort()).toEqual([
        '-rw-r--r-- root/root ./usr/lib/systemd/system/cluvio-agent.service',
        '-rw-r--r-- root/root ./usr/share/doc/cluvio-agent/THIRD-PARTY-NOTICES.txt.gz',
        '-rw-r--r-- root/root ./usr/share/doc/cluvio-agent/copyright',
        '-rwxr-xr-x root/root ./usr/bin/cluvio-agent',
      ]);
      expect(stdout).not.toMatch(/\.\/etc\//);
      expect(
        stdout
          .split('\n')
          .filter((line) => line.startsWith('d'))
          .every((line) => line.startsWith('drwxr-xr-x root/root')),
      ).toBe(true);
    });

    it('installs the repository’s unit, pointed at /usr/bin/cluvio-agent and /etc/cluvio-agent.toml', async () => {
      const packaged = await readFile(path.join(extracted, UNIT), 'utf8');
      const source = await readFile(path.join(repoRoot, 'build', 'cluvio-agent.service'), 'utf8');
      expect(packaged).toMatch(
        /^ExecStart=\/usr\/bin\/cluvio-agent -c \$\{CREDENTIALS_DIRECTORY\}\/cluvio-agent\.toml$/m,
      );
      expect(packaged).toMatch(/^LoadCredential=cluvio-agent\.toml:\/etc\/cluvio-agent\.toml$/m);
      expect(packaged).toMatch(/^WantedBy=multi-user\.target$/m);
      expect(packaged.replace(/^ExecStart=.*$/m, '')).toBe(source.replace(/^ExecStart=.*$/m, ''));
    });

    it.skipIf(!has('systemd-analyze'))(
      'passes systemd-analyze verify with the package’s files as the root (skipped where systemd-analyze is absent)',
      async () => {
        // systemd's own units (multi-user.target, …) beside the package's, as on an installed system.
        const root = path.join(work, 'verify-root');
        await cp(extracted, root, { recursive: true });
        await cp('/usr/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), {
          recursive: true,
          force: false,
          verbatimSymlinks: true,
        });
        const result = spawnSync(
          'systemd-analyze',
          ['verify', `--root=${root}`, '--man=no', '--generators=no', 'cluvio-agent.service'],
          { encoding: 'utf8' },
        );
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      },
    );

    it.skipIf(!has('objdump') || !has('readelf'))(
      'declares every library the executable needs, no newer than its Depends (skipped without binutils)',
      async () => {
        const exe = path.join(extracted, 'usr/bin/cluvio-agent');
        const needed = [
          ...(await run('readelf', ['-d', exe])).stdout.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g),
        ]
          .map((match) => match[1])
          .sort();
        expect(needed).toEqual([
          'ld-linux-x86-64.so.2',
          'libc.so.6',
          'libdl.so.2',
          'libgcc_s.so.1',
          'libm.so.6',
          'libpthread.so.0',
          'libstdc++.so.6',
        ]);
        const symbols = (await run('objdump', ['-T', exe], { maxBuffer: 256 * 1024 * 1024 })).stdout;
        const newest = (prefix: string): number[] =>
          [...symbols.matchAll(new RegExp(`\\b${prefix}_([0-9.]+)\\b`, 'g'))]
            .map((match) => (match[1] ?? '').split('.').map(Number))
            .sort((a, b) => {
              for (let i = 0; i < Math.max(a.length, b.length); i += 1)
                if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
              return 0;
            })
            .at(-1) ?? [];
        expect(newest('GLIBC')).toEqual([2, 28]); // libc6 (>= 2.28)
        expect(newest('GLIBCXX')).toEqual([3, 4, 21]); // GCC 5
        expect(newest('CXXABI')).toEqual([1, 3, 11]); // GCC 7: libstdc++6 (>= 7)
        expect(newest('GCC')).toEqual([3, 4]); // libgcc_s of any libgcc-s1 / libgcc1
      },
    );

    it('runs only the service actions of the reference’s package: never a start; try-restart after an upgrade; stop at removal', async () => {
      const actions = async (script: string): Promise<string[]> => {
        const text = await readFile(path.join(repoRoot, 'packaging', 'linux', 'debian', script), 'utf8');
        return [...text.matchAll(/^\s*(?:deb-systemd-invoke|systemctl(?: --system)?) ([a-z-]+)/gm)].map(
          (m) => m[1] ?? '',
        );
      };
      expect(await actions('postinst')).toEqual(['daemon-reload', 'try-restart']);
      expect(await actions('prerm')).toEqual(['stop']);
      expect(await actions('postrm')).toEqual(['daemon-reload']);
    });
  });

  describe.skipIf(!has('dpkg') || !has('deb-systemd-helper') || !has('systemctl'))(
    'the .deb installed with dpkg into a scratch root (skipped where dpkg, deb-systemd-helper or systemctl is absent)',
    () => {
      let root: string;
      const dpkg = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
        run('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-not-root', '--force-depends', ...args]);
      /** Where the symlink `file` (relative to the root) points, or null when there is none. */
      const isLink = (file: string): string | null => {
        const full = path.join(root, file);
        return lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink() === true ? readlinkSync(full) : null;
      };

      beforeAll(async () => {
        root = path.join(work, 'root');
        for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers'])
          await mkdir(path.join(root, dir), { recursive: true });
        await writeFile(path.join(root, 'var/lib/dpkg/status'), '');
      });

      it('installs the executable and enables the unit for multi-user.target', async () => {
        await dpkg('-i', release.deb);
        const { stdout } = await run(path.join(root, 'usr/bin/cluvio-agent'), ['--version']);
        expect(stdout).toBe(`${release.version}\n`);
        expect(isLink(WANTS)).toBe('/usr/lib/systemd/system/cluvio-agent.service');
        expect(existsSync(path.join(root, UNIT))).toBe(true);
        expect(existsSync(path.join(root, 'etc/cluvio-agent.toml'))).toBe(false);
        expect((await run('dpkg-query', [`--root=${root}`, '-W', '-f=${Status}', 'cluvio-agent'])).stdout).toBe(
          'install ok installed',
        );
      });

      it('keeps an administrator’s disable across an upgrade', async () => {
        // What an administrator runs (here on the scratch root); systemd need not be running.
        await run('systemctl', [`--root=${root}`, 'disable', 'cluvio-agent.service']);
        expect(isLink(WANTS)).toBeNull();
        await dpkg('-i', release.deb);
        expect(isLink(WANTS)).toBeNull();
        await run('systemctl', [`--root=${root}`, 'enable', 'cluvio-agent.service']);
        expect(isLink(WANTS)).toBe('/usr/lib/systemd/system/cluvio-agent.service');
      });

      it('at removal masks the unit and keeps /etc/cluvio-agent.toml; a purge forgets the unit and still keeps it', async () => {
        const config = path.join(root, 'etc/cluvio-agent.toml');
        await writeFile(config, 'secret-key = "the administrator’s file"\n', { mode: 0o600 });
        await dpkg('--remove', 'cluvio-agent');
        expect(existsSync(path.join(root, 'usr/bin/cluvio-agent'))).toBe(false);
        expect(existsSync(path.join(root, UNIT))).toBe(false);
        expect(isLink(MASK)).toBe('/dev/null');
        expect(await readFile(config, 'utf8')).toBe('secret-key = "the administrator’s file"\n');
        expect((await stat(config)).mode & 0o777).toBe(0o600);

        await dpkg('--purge', 'cluvio-agent');
        expect(isLink(MASK)).toBeNull();
        expect(isLink(WANTS)).toBeNull();
        const state = path.join(root, 'var/lib/systemd/deb-systemd-helper-enabled');
        const left = existsSync(state) ? await readdir(state, { recursive: true }) : [];
        expect(left.filter((name) => name.includes('cluvio-agent'))).toEqual([]);
        expect(await readFile(config, 'utf8')).toBe('secret-key = "the administrator’s file"\n');
      });

      it('a new installation after a removal unmasks and enables the unit again', async () => {
        await dpkg('-i', release.deb);
        await dpkg('--remove', 'cluvio-agent');
        expect(isLink(MASK)).toBe('/dev/null');
        await dpkg('-i', release.deb);
        expect(isLink(MASK)).toBeNull();
        expect(isLink(WANTS)).toBe('/usr/lib/systemd/system/cluvio-agent.service');
        await dpkg('--purge', 'cluvio-agent');
      });
    },
  );
});

/**
 * The configuration holds the agent's secret key, so every copy of it the app writes is readable
 * by its owner only — also where the usual protections are missing: a permissive umask (000), a
 * config path that is a symlink to a world-readable file, a write that fails half-way. Imports go
 * through the host exactly as the desktop app and the dashboard do. The same for every other file
 * the agent writes for the user (src/host/owner-only-file.ts): support bundles (`diagnose --bundle
 * FILE` replaces FILE — a link, a world-readable file — with a new owner-only file; "Save support
 * bundle" refuses a link planted at its name) and the app's settings.
 *
 * Covered elsewhere (not repeated here): writeConfigFile's own 0600 file/backup and rename
 * (test/unit/host/config-import-writer.test.ts), the app's import from a path
 * (test/unit/main/import-config-file.test.ts), imports through the dashboard UI and CLI
 * (test/e2e/ui, test/e2e/cli/agent-dashboard-cli.test.ts), `cluvio-gateway init` key and config
 * files (test/e2e/gateway/gateway-cli.test.ts).
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, open, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAppSettings } from '../../src/host/app-settings.js';
import { writeConfigFile } from '../../src/host/config-import-writer.js';
import { saveSupportBundleIn, supportBundleFileName } from '../../src/host/diagnose-bundle.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import { spawnCli } from '../e2e/ui/support/cli-process.js';
import { agentConfigToml } from '../support/gateway-fixture.js';
import { closedLoopbackPort } from '../support/loopback.js';
import { readSupportBundle } from '../support/support-bundle.js';
import { confinedHost } from '../unit/host/support/unconfigured-host.js';

const posix = process.platform !== 'win32';

function configText(): string {
  return agentConfigToml({
    secretKey: generateKeyPair().secretKey.exportBase64url(),
    host: 'localhost',
    port: 1,
    trustPem: '',
  }).replace(/trust = '''\n\n'''\n/, '');
}

async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

describe('owner-only configuration files (POSIX modes)', () => {
  let dir: string;
  let umask: number;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-owner-only-'));
    umask = process.umask(0o000); // the worst case: nothing masked
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  it.runIf(posix)(
    'imports through the host under umask 000: the file, its folder and every backup are owner-only',
    async () => {
      const host = confinedHost(dir);
      try {
        await host.start();
        const results = [];
        for (let i = 0; i < 3; i += 1) {
          results.push(await host.importConfig({ fileName: 'cluvio-agent.toml', text: configText() }));
          await new Promise((resolve) => setTimeout(resolve, 5)); // distinct backup timestamps
        }
        const written = results.map((r) => (r.ok ? r.change : null));
        expect(written.every((r) => r !== null)).toBe(true);
        const target = written[0]?.path ?? '';
        expect(await modeOf(target)).toBe(0o600);
        expect(await modeOf(path.dirname(target))).toBe(0o700);
        const backups = written.map((r) => r?.backupPath).filter((b): b is string => typeof b === 'string');
        expect(backups).toHaveLength(2);
        for (const backup of backups) expect(await modeOf(backup)).toBe(0o600);
        // Nothing else (no temp file) was left beside it.
        expect((await readdir(path.dirname(target))).sort()).toEqual(
          [path.basename(target), ...backups.map((b) => path.basename(b))].sort(),
        );
      } finally {
        await host.close();
      }
    },
  );

  it.runIf(posix)(
    'a config path that is a symlink to a world-readable file: the link is replaced by an owner-only file, the other file is left alone',
    async () => {
      const elsewhere = path.join(dir, 'shared', 'cluvio-agent.toml');
      await mkdir(path.dirname(elsewhere), { recursive: true });
      await writeFile(elsewhere, 'old contents\n', { mode: 0o644 });
      const target = path.join(dir, 'config', 'cluvio-agent.toml');
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await symlink(elsewhere, target);
      const written = await writeConfigFile(target, configText());
      expect((await lstat(target)).isSymbolicLink()).toBe(false);
      expect(await modeOf(target)).toBe(0o600);
      expect(await modeOf(written.backupPath ?? '')).toBe(0o600);
      expect(await readFile(written.backupPath ?? '', 'utf8')).toBe('old contents\n');
      expect(await readFile(elsewhere, 'utf8')).toBe('old contents\n');
      expect(await modeOf(elsewhere)).toBe(0o644);
    },
  );

  it.runIf(posix)('a write that fails (the target is a directory) leaves no copy of the new key behind', async () => {
    const target = path.join(dir, 'config', 'cluvio-agent.toml');
    await mkdir(target, { recursive: true });
    const text = configText();
    await expect(writeConfigFile(target, text)).rejects.toThrow();
    const left = await readdir(path.dirname(target));
    for (const name of left) {
      const file = path.join(path.dirname(target), name);
      if ((await stat(file)).isFile()) expect(await readFile(file, 'utf8')).not.toBe(text);
    }
  });
});

describe('support bundles and other files the agent writes for the user: owner-only, never through a link (POSIX)', () => {
  let dir: string;
  let umask: number;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-owner-only-files-'));
    umask = process.umask(0o000); // the worst case, inherited by the CLI processes too
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  /** `cluvio-agent diagnose --bundle <bundle>` on an offline configuration; resolves to its exit and output. */
  async function diagnoseBundle(bundle: string): Promise<{ code: number | null; stderr: string }> {
    const config = path.join(dir, 'cluvio-agent.toml');
    await writeFile(config, configText().replace('port = 1', `port = ${await closedLoopbackPort()}`), {
      mode: 0o600,
    });
    const cli = spawnCli(['diagnose', '-c', config, '--skip-handshake', '--bundle', bundle], { HOME: dir });
    const exit = await cli.exited;
    return { code: exit.code, stderr: cli.stderr() };
  }

  it.runIf(posix)(
    'diagnose --bundle FILE where FILE is a symlink to a world-readable file: the link is replaced by an owner-only bundle, the other file is untouched',
    async () => {
      const elsewhere = path.join(dir, 'shared', 'notes.txt');
      await mkdir(path.dirname(elsewhere));
      await writeFile(elsewhere, 'someone else’s notes\n', { mode: 0o644 });
      const bundle = path.join(dir, 'support.tar.gz');
      await symlink(elsewhere, bundle);
      const run = await diagnoseBundle(bundle);
      expect(run.stderr).toContain(`bundle: ${bundle} (without the secret key and proxy credentials)`);
      expect((await lstat(bundle)).isSymbolicLink()).toBe(false);
      expect(await modeOf(bundle)).toBe(0o600);
      expect((await readSupportBundle(bundle)).files['report.txt']).toMatch(/Configuration/);
      expect(await readFile(elsewhere, 'utf8')).toBe('someone else’s notes\n');
      expect(await modeOf(elsewhere)).toBe(0o644);
    },
    60_000,
  );

  it.runIf(posix)(
    'diagnose --bundle FILE where FILE is an existing world-readable file or a dangling link: replaced (a new owner-only file), never written into',
    async () => {
      const bundle = path.join(dir, 'support.tar.gz');
      await writeFile(bundle, 'an older bundle\n', { mode: 0o644 });
      const before = await stat(bundle);
      const reader = await open(bundle, 'r');
      try {
        await diagnoseBundle(bundle);
        expect((await stat(bundle)).ino).not.toBe(before.ino);
        expect(await modeOf(bundle)).toBe(0o600);
        // Whoever had the old file open still reads the old bytes: nothing was written into it.
        expect(await reader.readFile('utf8')).toBe('an older bundle\n');
      } finally {
        await reader.close();
      }
      const dangling = path.join(dir, 'dangling.tar.gz');
      const target = path.join(dir, 'elsewhere', 'created-through-the-link.tar.gz');
      await mkdir(path.dirname(target));
      await symlink(target, dangling);
      await diagnoseBundle(dangling);
      expect((await lstat(dangling)).isSymbolicLink()).toBe(false);
      expect(await modeOf(dangling)).toBe(0o600);
      expect(await readdir(path.dirname(target))).toEqual([]);
      // No temporary file is left beside the bundles.
      expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    },
    60_000,
  );

  it('diagnose --bundle into a missing folder or onto a folder says so in the user’s terms', async () => {
    expect((await diagnoseBundle(path.join(dir, 'missing', 'b.tar.gz'))).stderr).toContain(
      `bundle: cannot write ${path.join(dir, 'missing', 'b.tar.gz')}: the folder ${path.join(dir, 'missing')} does not exist\n`,
    );
    await mkdir(path.join(dir, 'bundles'));
    expect((await diagnoseBundle(path.join(dir, 'bundles'))).stderr).toContain(
      `bundle: cannot write ${path.join(dir, 'bundles')}: it is a folder: give a file name, e.g. ${path.join(dir, 'bundles', 'support.tar.gz')}\n`,
    );
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it.runIf(posix)(
    '"Save support bundle": a link planted at the next bundle’s name is refused, not followed; the folder is created owner-only',
    async () => {
      const at = new Date(Date.UTC(2030, 0, 1, 12));
      const folder = path.join(dir, 'logs');
      const input = {
        report: { startedAt: 0, finishedAt: at.getTime(), version: '0.1.0', ok: true, steps: [], notes: [] },
        configText: null,
        logs: [],
        secrets: [],
        env: {},
      };
      const first = await saveSupportBundleIn(folder, input, new Date(at.getTime() - 1000));
      expect(await modeOf(first.path)).toBe(0o600);
      expect(await modeOf(folder)).toBe(0o700);
      const victim = path.join(dir, 'victim.txt');
      await writeFile(victim, 'keep me\n', { mode: 0o644 });
      await symlink(victim, path.join(folder, supportBundleFileName(at)));
      await expect(saveSupportBundleIn(folder, input, at)).rejects.toThrow(/EEXIST/);
      expect(await readFile(victim, 'utf8')).toBe('keep me\n');
      expect(await modeOf(victim)).toBe(0o644);
    },
  );

  it.runIf(posix)(
    'the app’s settings file and an imported configuration replace a symlink or a FIFO at their path instead of writing through or waiting on it',
    async () => {
      const victim = path.join(dir, 'victim.json');
      await writeFile(victim, '{"keep":true}\n', { mode: 0o644 });
      const settingsFile = path.join(dir, 'app', 'settings.json');
      await mkdir(path.dirname(settingsFile));
      await symlink(victim, settingsFile);
      await writeAppSettings(settingsFile, { metricsAddress: null });
      expect((await lstat(settingsFile)).isSymbolicLink()).toBe(false);
      expect(await modeOf(settingsFile)).toBe(0o600);
      expect(await readFile(victim, 'utf8')).toBe('{"keep":true}\n');

      // A FIFO where the configuration should be: not opened for a backup (which would block), replaced.
      const target = path.join(dir, 'config', 'cluvio-agent.toml');
      await mkdir(path.dirname(target), { mode: 0o700 });
      await promisify(execFile)('mkfifo', [target]);
      const written = await writeConfigFile(target, configText());
      expect(written.backupPath).toBeNull();
      expect((await lstat(target)).isFile()).toBe(true);
      expect(await modeOf(target)).toBe(0o600);
    },
  );
});

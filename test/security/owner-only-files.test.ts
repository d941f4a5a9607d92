/**
 * The configuration holds the agent's secret key, so every copy of it the app writes is readable
 * by its owner only — also where the usual protections are missing: a permissive umask (000), a
 * config path that is a symlink to a world-readable file, a write that fails half-way. Imports go
 * through the host exactly as the desktop app and the dashboard do.
 *
 * Covered elsewhere (not repeated here): writeConfigFile's own 0600 file/backup and rename
 * (test/unit/host/config-import-writer.test.ts), the app's import from a path
 * (test/unit/main/import-config-file.test.ts), imports through the dashboard UI and CLI
 * (test/e2e/ui, test/e2e/cli/agent-dashboard-cli.test.ts), `cluvio-gateway init` key and config
 * files (test/e2e/gateway/gateway-cli.test.ts).
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../../src/host/config-import-writer.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import { agentConfigToml } from '../support/gateway-fixture.js';
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

/**
 * `--dashboard-token-file`: created owner-only once with a random token, the same token read back
 * on every later run; a file others can read, a foreign or malformed one, or a missing folder is
 * refused with the file named and the fix.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dashboardTokenFromFile } from '../../../src/cli/dashboard-token-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cluvio-token-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard token file', () => {
  it('is created owner-only (0600, even under umask 000) with a random token, then read back unchanged', async () => {
    const file = path.join(dir, 'dashboard.token');
    const previous = process.umask(0);
    let first;
    try {
      first = await dashboardTokenFromFile(file, 'linux');
    } finally {
      process.umask(previous);
    }
    if (!first.ok) throw new Error(first.error);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`${first.token}\n`);
    const again = await dashboardTokenFromFile(file, 'linux');
    expect(again).toEqual({ ok: true, token: first.token, created: false });
    const other = await dashboardTokenFromFile(path.join(dir, 'other.token'), 'linux');
    expect(other.ok && other.token).not.toBe(first.token);
  });

  it('refuses a file other users can read, naming it and the fix', async () => {
    const file = path.join(dir, 'shared.token');
    await writeFile(file, `${'x'.repeat(43)}\n`);
    await chmod(file, 0o644);
    expect(await dashboardTokenFromFile(file, 'linux')).toEqual({
      ok: false,
      error: `${file} can be read by other users (mode 644): run chmod 600 ${file}, or delete it to have a new one created`,
    });
  });

  it('refuses a file that holds no token, a symbolic link, a folder, and a path whose folder does not exist', async () => {
    const garbage = path.join(dir, 'garbage.token');
    await writeFile(garbage, 'not a token!\n', { mode: 0o600 });
    const refused = await dashboardTokenFromFile(garbage, 'linux');
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toContain(`${garbage} does not hold a dashboard token`);

    const target = path.join(dir, 'real.token');
    await writeFile(target, `${'y'.repeat(43)}\n`, { mode: 0o600 });
    const link = path.join(dir, 'link.token');
    await symlink(target, link);
    const linked = await dashboardTokenFromFile(link, 'linux');
    expect(!linked.ok && linked.error).toBe(
      `${link} is not a regular file: give the path of a file (it is created if missing)`,
    );

    await mkdir(path.join(dir, 'folder'));
    expect((await dashboardTokenFromFile(path.join(dir, 'folder'), 'linux')).ok).toBe(false);

    const missing = path.join(dir, 'nowhere', 'dashboard.token');
    expect(await dashboardTokenFromFile(missing, 'linux')).toEqual({
      ok: false,
      error: `cannot create ${missing}: the folder ${path.join(dir, 'nowhere')} does not exist`,
    });
  });
});

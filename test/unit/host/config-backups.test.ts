import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups, MAX_BACKUPS, saveBackup, swapInBackup } from '../../../src/host/config-backups.js';

const posixOnly = process.platform !== 'win32';

describe('configuration backups', () => {
  let dir: string;
  let target: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-backups-'));
    target = path.join(dir, 'cluvio-agent.toml');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`keeps the newest ${MAX_BACKUPS}, owner-only, and touches no other file`, async () => {
    const others = [
      'cluvio-agent.toml.old',
      'notes.bak',
      'cluvio-agent.toml.yesterday.bak',
      'other.toml.2025-01-01T00-00-00-000Z.bak',
    ];
    for (const name of others) await writeFile(path.join(dir, name), 'keep me\n');
    for (let i = 0; i < MAX_BACKUPS + 2; i += 1)
      await saveBackup(target, Buffer.from(`version ${i}\n`), new Date(Date.UTC(2025, 0, 1, 0, 0, i)));
    const kept = await listBackups(target);
    expect(kept).toHaveLength(MAX_BACKUPS);
    expect(await Promise.all(kept.map((b) => readFile(b.path, 'utf8')))).toEqual(
      [6, 5, 4, 3, 2].map((i) => `version ${i}\n`),
    );
    expect(kept[0]?.savedAt).toBe(Date.UTC(2025, 0, 1, 0, 0, 6));
    if (posixOnly) for (const b of kept) expect((await stat(b.path)).mode & 0o777).toBe(0o600);
    for (const name of others) expect(await readFile(path.join(dir, name), 'utf8')).toBe('keep me\n');
  });

  it('two saves in the same millisecond are both kept, newest first', async () => {
    const at = new Date('2025-11-25T16:33:07.123Z');
    await saveBackup(target, Buffer.from('first\n'), at);
    await saveBackup(target, Buffer.from('second\n'), at);
    const kept = await listBackups(target);
    expect(kept.map((b) => path.basename(b.path))).toEqual([
      'cluvio-agent.toml.2025-11-25T16-33-07-123Z-1.bak',
      'cluvio-agent.toml.2025-11-25T16-33-07-123Z.bak',
    ]);
  });

  it('content that is already backed up replaces its older copy, so no two backups are alike', async () => {
    await saveBackup(target, Buffer.from('a\n'), new Date(1_000));
    await saveBackup(target, Buffer.from('b\n'), new Date(2_000));
    await saveBackup(target, Buffer.from('a\n'), new Date(3_000));
    const kept = await listBackups(target);
    expect(await Promise.all(kept.map((b) => readFile(b.path, 'utf8')))).toEqual(['a\n', 'b\n']);
  });

  it('swapping a backup in: the file it replaces becomes the newest backup, the restored one goes', async () => {
    await writeFile(target, 'current\n');
    const old = await saveBackup(target, Buffer.from('previous\n'), new Date(1_000));
    const swapped = await swapInBackup(target, old, Buffer.from('previous\n'), new Date(2_000));
    expect(swapped.before?.toString()).toBe('current\n');
    expect(await readFile(target, 'utf8')).toBe('previous\n');
    expect((await listBackups(target)).map((b) => b.path)).toEqual([swapped.backupPath]);
    expect(await readFile(swapped.backupPath ?? '', 'utf8')).toBe('current\n');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

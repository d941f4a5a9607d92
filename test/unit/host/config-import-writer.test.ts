import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupTimestamp, writeConfigFile } from '../../../src/host/config-import-writer.js';

const posixOnly = process.platform !== 'win32';

describe('writeConfigFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-import-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file, and its missing parent folder, readable by the owner only', async () => {
    const target = path.join(dir, 'config', 'cluvio-agent.toml');
    const written = await writeConfigFile(target, 'secret-key = "x"\n');
    expect(written).toEqual({ path: target, backupPath: null });
    expect(await readFile(target, 'utf8')).toBe('secret-key = "x"\n');
    if (posixOnly) expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(target))).toEqual(['cluvio-agent.toml']);
  });

  it('keeps the previous file as an owner-only timestamped backup and leaves no temp file', async () => {
    const target = path.join(dir, 'cluvio-agent.toml');
    await writeFile(target, 'old\n', { mode: 0o644 });
    const at = new Date('2025-11-25T16:33:07.123Z');
    const written = await writeConfigFile(target, 'new\n', at);
    expect(written.backupPath).toBe(path.join(dir, 'cluvio-agent.toml.2025-11-25T16-33-07-123Z.bak'));
    expect(await readFile(target, 'utf8')).toBe('new\n');
    expect(await readFile(written.backupPath ?? '', 'utf8')).toBe('old\n');
    if (posixOnly) {
      expect((await stat(target)).mode & 0o777).toBe(0o600);
      expect((await stat(written.backupPath ?? '')).mode & 0o777).toBe(0o600);
    }
    expect((await readdir(dir)).sort()).toEqual([
      'cluvio-agent.toml',
      'cluvio-agent.toml.2025-11-25T16-33-07-123Z.bak',
    ]);
  });

  it('replaces the file by rename, never rewriting it in place: a reader of the old file still sees it whole', async () => {
    const target = path.join(dir, 'cluvio-agent.toml');
    await writeFile(target, 'old contents\n');
    const before = await stat(target);
    const reader = await open(target, 'r');
    try {
      await writeConfigFile(target, 'new\n');
      expect((await stat(target)).ino).not.toBe(before.ino);
      expect(await reader.readFile('utf8')).toBe('old contents\n');
    } finally {
      await reader.close();
    }
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('formats timestamps that sort and are valid file names everywhere', () => {
    expect(backupTimestamp(new Date('2025-01-02T03:04:05.006Z'))).toBe('2025-01-02T03-04-05-006Z');
  });
});

/**
 * Writes an imported configuration without ever leaving a half-written or world-readable file:
 * temp file (owner-only) in the target's directory, fsync, rename over the target. The file it
 * replaces is kept beside it as `<name>.<timestamp>.bak`, also owner-only.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** rw for the owner only: the file holds the agent's secret key. */
export const OWNER_ONLY_FILE_MODE = 0o600;
const OWNER_ONLY_DIR_MODE = 0o700;

export interface WrittenConfig {
  readonly path: string;
  readonly backupPath: string | null;
}

/** `2025-11-25T16-33-07-123Z`: sortable, and valid in a file name on every platform. */
export function backupTimestamp(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

/** Creates `file` (never an existing file or link) readable by its owner only, with `data`, synced. */
export async function writeOwnerOnly(file: string, data: string | Buffer): Promise<void> {
  // `wx`: never follow or reuse an existing file; the mode applies at creation.
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, OWNER_ONLY_FILE_MODE);
  try {
    await handle.writeFile(data);
    // A umask can only remove bits, but a filesystem may ignore the creation mode: state it again.
    await handle.chmod(OWNER_ONLY_FILE_MODE);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeConfigFile(target: string, text: string, now: Date = new Date()): Promise<WrittenConfig> {
  const dir = path.dirname(target);
  await mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR_MODE });

  const previous = await readIfPresent(target);
  let backupPath: string | null = null;
  if (previous !== null) {
    backupPath = path.join(dir, `${path.basename(target)}.${backupTimestamp(now)}.bak`);
    await writeOwnerOnly(backupPath, previous);
  }

  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeOwnerOnly(temp, text);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await chmod(target, OWNER_ONLY_FILE_MODE);
  await syncDirectory(dir);
  return { path: target, backupPath };
}

/**
 * Creating and replacing files that may hold the agent's secret key: the configuration, its temp
 * file, each backup, a support bundle. `writeOwnerOnly` is the one function that creates such a
 * file (owner-only from its first byte, never through an existing file or link); everything else
 * here builds on it.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** rw for the owner only: the file holds the agent's secret key. */
export const OWNER_ONLY_FILE_MODE = 0o600;
export const OWNER_ONLY_DIR_MODE = 0o700;

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

/** The file's bytes, or null when there is none. */
export async function readIfPresent(file: string): Promise<Buffer | null> {
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

/** Replaces `target` with `data` atomically (a symlink there is replaced, never written through); creates its folder owner-only. */
export async function replaceOwnerOnly(target: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(target);
  await mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR_MODE });
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeOwnerOnly(temp, data);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await chmod(target, OWNER_ONLY_FILE_MODE);
  await syncDirectory(dir);
}

/** Removes `target` (a configuration an import created and a roll-back takes back). */
export async function removeConfigFile(target: string): Promise<void> {
  await rm(target, { force: true });
  await syncDirectory(path.dirname(target));
}

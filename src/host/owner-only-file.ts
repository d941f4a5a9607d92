/**
 * Files the agent writes for the user — imported configurations and their backups, support
 * bundles, the app's settings — readable by their owner only from their first byte, and never
 * written through a link or into a file someone else prepared:
 *
 * - `createOwnerOnlyFile` makes a new file (`O_CREAT | O_EXCL | O_NOFOLLOW`, mode 0600): an
 *   existing file, a symlink (even a dangling one) or a FIFO at the path makes it fail with
 *   EEXIST instead of being opened;
 * - `replaceOwnerOnlyFile` writes such a new file beside the destination and renames it over the
 *   destination: whatever was there (a file of any mode, a symlink) is replaced, not written
 *   into, and a reader sees either the old file or the whole new one.
 *
 * The mode is stated again on the open handle (a filesystem may ignore the creation mode, a
 * umask can only remove bits), and the data is synced before the file is reported written.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** rw for the owner only. */
export const OWNER_ONLY_FILE_MODE = 0o600;
/** rwx for the owner only. */
export const OWNER_ONLY_DIR_MODE = 0o700;

/** Not defined on Windows, where a create with O_EXCL does not follow a link either. */
const NO_FOLLOW = (constants as Partial<typeof constants>).O_NOFOLLOW ?? 0;

/** Creates `file`, which must not exist (not even as a symlink), owner-only, with `data`, synced. */
export async function createOwnerOnlyFile(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(
    file,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW,
    OWNER_ONLY_FILE_MODE,
  );
  try {
    await handle.chmod(OWNER_ONLY_FILE_MODE);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename into `dir` durable (a no-op on Windows, where a folder cannot be opened for fsync). */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `file` as a new owner-only file renamed over whatever is at `file` (a file,
 * a symlink — replaced, its target untouched); nothing is left behind when it fails.
 */
export async function replaceOwnerOnlyFile(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await createOwnerOnlyFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

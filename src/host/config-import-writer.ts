/**
 * Writes an imported configuration without ever leaving a half-written or world-readable file:
 * a new owner-only file beside the target, synced, renamed over the target (owner-only-file.ts) —
 * a symlink at the target is replaced, never written through. The file it replaces is kept beside
 * it as `<name>.<timestamp>.bak`, created owner-only the same way.
 */
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { createOwnerOnlyFile, OWNER_ONLY_DIR_MODE, replaceOwnerOnlyFile } from './owner-only-file.js';

export { OWNER_ONLY_FILE_MODE } from './owner-only-file.js';

export interface WrittenConfig {
  readonly path: string;
  readonly backupPath: string | null;
}

/** `2025-11-25T16-33-07-123Z`: sortable, and valid in a file name on every platform. */
export function backupTimestamp(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

/**
 * The contents of the configuration being replaced, when it is a regular file (through a
 * symlink, as the agent read it); null when there is none or it is something else (a FIFO or a
 * device is neither waited on nor read).
 */
async function previousContents(file: string): Promise<Buffer | null> {
  let handle;
  try {
    // Non-blocking: a FIFO at the path is not waited on (it is not backed up either).
    handle = await open(file, constants.O_RDONLY | ((constants as Partial<typeof constants>).O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENXIO') return null;
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) return null;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export async function writeConfigFile(target: string, text: string, now: Date = new Date()): Promise<WrittenConfig> {
  const dir = path.dirname(target);
  await mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR_MODE });

  const previous = await previousContents(target);
  let backupPath: string | null = null;
  if (previous !== null) {
    backupPath = path.join(dir, `${path.basename(target)}.${backupTimestamp(now)}.bak`);
    await createOwnerOnlyFile(backupPath, previous);
  }
  await replaceOwnerOnlyFile(target, text);
  return { path: target, backupPath };
}

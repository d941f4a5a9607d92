/**
 * Writes an imported configuration without ever leaving a half-written or world-readable file:
 * a new owner-only file beside the target, synced, renamed over the target (owner-only-file.ts) —
 * a symlink at the target is replaced, never written through. The file it replaces is kept beside
 * it as an owner-only backup (config-backups.ts: at most five, none twice).
 *
 * Every file of an import, restore or roll-back is written through owner-only-file.ts.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { saveBackup } from './config-backups.js';
import { previousContents } from './config-file-contents.js';
import { OWNER_ONLY_DIR_MODE, replaceOwnerOnlyFile, syncDirectory } from './owner-only-file.js';

export { backupTimestamp } from './config-backups.js';
export { OWNER_ONLY_FILE_MODE } from './owner-only-file.js';

export interface WrittenConfig {
  readonly path: string;
  readonly backupPath: string | null;
}

/** Replaces `target` with `data` (owner-only, atomically), creating its folder owner-only. */
export async function replaceConfigFile(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true, mode: OWNER_ONLY_DIR_MODE });
  await replaceOwnerOnlyFile(target, data);
}

/** Removes `target` (a configuration an import created and a roll-back takes back). */
export async function removeConfigFile(target: string): Promise<void> {
  await rm(target, { force: true });
  await syncDirectory(path.dirname(target));
}

/** Writes `text` to `target`, keeping the file it replaces (if any) as a backup. */
export async function writeConfigFile(target: string, text: string, now: Date = new Date()): Promise<WrittenConfig> {
  await mkdir(path.dirname(target), { recursive: true, mode: OWNER_ONLY_DIR_MODE });
  const previous = await previousContents(target);
  const backupPath = previous === null ? null : await saveBackup(target, previous, now);
  await replaceOwnerOnlyFile(target, text);
  return { path: target, backupPath };
}

/**
 * Writes an imported configuration without ever leaving a half-written or world-readable file:
 * temp file (owner-only) in the target's directory, fsync, rename over the target
 * (owner-only-file.ts). The file it replaces is kept beside it as an owner-only backup
 * (config-backups.ts: at most five, none twice).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { saveBackup } from './config-backups.js';
import { OWNER_ONLY_DIR_MODE, readIfPresent, replaceOwnerOnly } from './owner-only-file.js';

export { backupTimestamp } from './config-backups.js';
export { OWNER_ONLY_FILE_MODE, writeOwnerOnly } from './owner-only-file.js';

export interface WrittenConfig {
  readonly path: string;
  readonly backupPath: string | null;
}

/** Writes `text` to `target`, keeping the file it replaces (if any) as a backup. */
export async function writeConfigFile(target: string, text: string, now: Date = new Date()): Promise<WrittenConfig> {
  await mkdir(path.dirname(target), { recursive: true, mode: OWNER_ONLY_DIR_MODE });
  const previous = await readIfPresent(target);
  const backupPath = previous === null ? null : await saveBackup(target, previous, now);
  await replaceOwnerOnly(target, text);
  return { path: target, backupPath };
}

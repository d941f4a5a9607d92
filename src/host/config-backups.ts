/**
 * Backups of the configuration file: `<name>.<UTC time>.bak` beside it, owner-only (each holds a
 * secret key), at most `MAX_BACKUPS` kept — the oldest are deleted — and never two with the
 * same content (saving content that is already backed up replaces the older copy, so the newest
 * backup is always the file replaced last). Only files named that way are ever touched.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { previousContents } from './config-file-contents.js';
import { createOwnerOnlyFile, replaceOwnerOnlyFile } from './owner-only-file.js';

/** How many backups are kept beside the configuration. */
export const MAX_BACKUPS = 5;

export interface ConfigBackup {
  readonly path: string;
  /** When it was saved (from its name). */
  readonly savedAt: number;
}

/** `2025-11-25T16-33-07-123Z`: sortable, and valid in a file name on every platform. */
export function backupTimestamp(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z(?:-(\d+))?$/;

function parseBackupName(target: string, name: string): { savedAt: number; sequence: number } | null {
  const prefix = `${path.basename(target)}.`;
  if (!name.startsWith(prefix) || !name.endsWith('.bak')) return null;
  const match = TIMESTAMP.exec(name.slice(prefix.length, -'.bak'.length));
  if (match === null) return null;
  const [, day, hours, minutes, seconds, millis, sequence] = match;
  const savedAt = Date.parse(`${day ?? ''}T${hours ?? ''}:${minutes ?? ''}:${seconds ?? ''}.${millis ?? ''}Z`);
  return Number.isNaN(savedAt) ? null : { savedAt, sequence: Number(sequence ?? 0) };
}

/** The backups of `target`, newest first. */
export async function listBackups(target: string): Promise<ConfigBackup[]> {
  let names: string[];
  try {
    names = await readdir(path.dirname(target));
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, parsed: parseBackupName(target, name) }))
    .filter((entry): entry is { name: string; parsed: { savedAt: number; sequence: number } } => entry.parsed !== null)
    .sort((a, b) => b.parsed.savedAt - a.parsed.savedAt || b.parsed.sequence - a.parsed.sequence)
    .map(({ name, parsed }) => ({ path: path.join(path.dirname(target), name), savedAt: parsed.savedAt }));
}

/** Deletes all but the newest `keep` backups of `target`. */
export async function pruneBackups(target: string, keep: number = MAX_BACKUPS): Promise<void> {
  for (const old of (await listBackups(target)).slice(keep)) await rm(old.path, { force: true });
}

/** Saves `content` (the file about to be replaced) as the newest backup of `target`; returns its path. */
export async function saveBackup(target: string, content: Buffer, now: Date): Promise<string> {
  for (const backup of await listBackups(target)) {
    // Read as a regular file only: something else named like a backup is neither waited on nor read.
    const same = (await previousContents(backup.path).catch(() => null))?.equals(content) === true;
    if (same) await rm(backup.path, { force: true });
  }
  const base = path.join(path.dirname(target), `${path.basename(target)}.${backupTimestamp(now)}`);
  // Two saves within one millisecond get a sequence number rather than overwriting each other.
  for (let sequence = 0; ; sequence += 1) {
    const file = `${base}${sequence === 0 ? '' : `-${sequence}`}.bak`;
    try {
      await createOwnerOnlyFile(file, content);
      await pruneBackups(target);
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || sequence >= 100) throw error;
    }
  }
}

/**
 * Puts a backup's `bytes` (read from `backup`) in place of `target`: the file it replaces becomes
 * the newest backup and `backup` goes, so restoring again goes back. Returns what `target` held
 * and where that was saved.
 */
export async function swapInBackup(
  target: string,
  backup: string,
  bytes: Buffer,
  now: Date,
): Promise<{ readonly before: Buffer | null; readonly backupPath: string | null }> {
  const before = await previousContents(target);
  const backupPath = before === null ? null : await saveBackup(target, before, now);
  await replaceOwnerOnlyFile(target, bytes);
  await rm(backup, { force: true });
  return { before, backupPath };
}

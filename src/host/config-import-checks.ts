/**
 * What the host checks about a file before a change (host-config-changes.ts): that it is text and
 * a valid configuration (every problem at once), whether it is the file already in use, whether
 * the headless CLI would read another file first, and which backup "Restore previous" offers.
 */
import path from 'node:path';
import type { RestorableConfig } from '../shared/agent-api.js';
import type { PublicConfig } from '../shared/agent-state.js';
import { checkConfigText } from '../shared/config-file-check.js';
import { configDifference } from '../shared/config-difference.js';
import type { LogFieldValue, LogLevel } from '../shared/log-record.js';
import type { ConfigBinding, ParsedConfig } from './config-binding.js';
import { listBackups } from './config-backups.js';
import { isRegularFile } from './config-from-disk.js';
import { previousContents } from './config-file-contents.js';

/** Text for an import: not empty, text at all, then a valid configuration; every problem is logged. */
export function checkImportText<C>(
  binding: ConfigBinding<C>,
  fileName: string,
  text: string,
  log: (level: LogLevel, message: string, fields: Record<string, LogFieldValue>) => void,
): ParsedConfig<C> {
  const notText = checkConfigText(fileName, text);
  const parsed: ParsedConfig<C> =
    notText === null ? binding.parse(text, fileName) : { ok: false, problems: [notText], warnings: [] };
  if (!parsed.ok)
    for (const problem of parsed.problems)
      log('warn', 'configuration rejected', { file: problem.file, key: problem.key, problem: problem.message });
  return parsed;
}

/** Identical files modulo a byte-order mark, line endings and trailing blank space. */
const normalise = (text: string): string =>
  text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n')
    .trimEnd();

/** `text` is the file the agent runs on already (`inUse`: the path of the configuration loaded, if any). */
export async function isInUse(inUse: string | null, target: string, text: string): Promise<boolean> {
  if (inUse === null || path.resolve(inUse) !== path.resolve(target)) return false;
  const current = await previousContents(target);
  return current !== null && normalise(current.toString('utf8')) === normalise(text);
}

/** A file earlier in the search order than `target`, which the headless CLI would read instead, or null. */
export async function shadowingFile<C>(binding: ConfigBinding<C>, target: string): Promise<string | null> {
  for (const candidate of binding.searchPaths()) {
    if (path.resolve(candidate) === path.resolve(target)) return null;
    if (await isRegularFile(candidate)) return candidate;
  }
  return null;
}

/** The newest backup of `target` that is a valid configuration and not the file in use; its difference against `current`. */
export async function findRestorable<C>(
  binding: ConfigBinding<C>,
  target: string,
  current: PublicConfig | null,
): Promise<RestorableConfig | null> {
  const inUse = await previousContents(target);
  for (const backup of await listBackups(target)) {
    const bytes = await previousContents(backup.path);
    if (bytes === null || (inUse !== null && bytes.equals(inUse))) continue;
    const parsed = binding.parse(bytes.toString('utf8'), backup.path);
    if (!parsed.ok) continue;
    const config = binding.toPublic(parsed.config, target);
    return { path: backup.path, savedAt: backup.savedAt, config, difference: configDifference(current, config) };
  }
  return null;
}

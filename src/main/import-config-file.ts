/**
 * A configuration file the main process was given by path (command line, "open with", the Dock,
 * the tray's file picker): read with the same checks as a drop in the window (size, empty, not
 * text), and the words of the dialogs around its import.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigImportRequest, ConfigImportResult, RestorableConfig } from '../shared/agent-api.js';
import type { ConfigProblem } from '../shared/agent-state.js';
import { describeDifference } from '../shared/config-difference.js';
import { checkConfigFileBytes, MAX_CONFIG_FILE_BYTES, tooLargeProblem } from '../shared/config-file-check.js';
import type { ImportQuestion } from '../host/arrived-config-import.js';

export type ReadConfigFile =
  | { readonly ok: true; readonly request: ConfigImportRequest }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Reads `file` for an import: at most the size limit (a larger file is refused unread). */
export async function readConfigFileForImport(file: string): Promise<ReadConfigFile> {
  const fileName = path.basename(file);
  const refused = (message: string, fix: string | null = null): ReadConfigFile => ({
    ok: false,
    problems: [{ file: fileName, key: null, message, value: null, fix }],
  });
  let bytes: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile())
        return refused('This is not a file.', 'Choose the cluvio-agent.toml you downloaded from Cluvio.');
      if (info.size > MAX_CONFIG_FILE_BYTES) return { ok: false, problems: [tooLargeProblem(fileName, info.size)] };
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return refused(`The file cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const checked = checkConfigFileBytes(fileName, bytes);
  return checked.ok
    ? { ok: true, request: { fileName, text: checked.text } }
    : { ok: false, problems: [checked.problem] };
}

export interface ImportMessage {
  readonly type: 'info' | 'question' | 'warning' | 'error';
  readonly message: string;
  readonly detail: string;
}

/** A problem on its own lines: `key (value): what is wrong`, then what to do. */
function problemText(problem: ConfigProblem): string {
  const where = problem.key === null ? '' : `${problem.key}${problem.value == null ? '' : ` (${problem.value})`}: `;
  return `${where}${problem.message}${problem.fix == null ? '' : `\n   ${problem.fix}`}`;
}

/** The dialog after an arrived file was refused before anything was written. */
export function problemsMessage(
  fileName: string,
  problems: readonly ConfigProblem[],
  warnings: readonly ConfigProblem[] = [],
): ImportMessage {
  const ignored = warnings.length === 0 ? [] : ['', 'Keys the agent ignores:', ...warnings.map(problemText)];
  return {
    type: 'error',
    message: `${fileName} was not imported`,
    detail: ['Nothing was changed.', '', ...problems.map(problemText), ...ignored].join('\n'),
  };
}

/**
 * The dialog after an arrived file's import, or null when the window says it better (the window
 * opens on Status and shows the outcome there).
 */
export function importResultMessage(fileName: string, result: ConfigImportResult): ImportMessage | null {
  if (!result.ok) return problemsMessage(fileName, result.problems, result.warnings);
  if (result.change.status === 'unchanged')
    return { type: 'info', message: `${fileName} is already in use`, detail: result.change.message };
  return null;
}

/** The question before an arrived file replaces the configuration in use. */
export function confirmationMessage(question: ImportQuestion): ImportMessage & {
  readonly buttons: readonly string[];
} {
  const warnings = question.warnings.map((warning) => `Warning: ${problemText(warning)}`);
  return {
    type: 'warning',
    message: `Replace the agent's configuration with ${question.fileName}?`,
    detail: [
      ...question.changes,
      ...warnings,
      '',
      'The current file is kept as a backup. If the gateway refuses the new one, the agent goes back to the current configuration.',
    ].join('\n'),
    buttons: ['Replace', 'Cancel'],
  };
}

/** The question before "Restore previous configuration" (from the tray). */
export function restoreMessage(previous: RestorableConfig): ImportMessage & { readonly buttons: readonly string[] } {
  return {
    type: 'question',
    message: 'Restore the previous configuration?',
    detail: [
      `Saved ${new Date(previous.savedAt).toLocaleString()} as ${path.basename(previous.path)}.`,
      ...describeDifference(previous.difference),
      '',
      'The configuration in use is kept as a backup, so you can go back to it the same way.',
    ].join('\n'),
    buttons: ['Restore', 'Cancel'],
  };
}

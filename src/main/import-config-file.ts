/**
 * Imports a configuration file the main process was given by path (command line, "open with",
 * the tray's file picker), and words the outcome for a dialog: the same checks as a drop.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AgentApi, ConfigImportResult } from '../shared/agent-api.js';
import { MAX_CONFIG_TEXT_LENGTH } from '../shared/agent-api-arguments.js';

export async function importConfigFile(api: Pick<AgentApi, 'importConfig'>, file: string): Promise<ConfigImportResult> {
  const fileName = path.basename(file);
  try {
    const info = await stat(file);
    if (!info.isFile())
      return {
        ok: false,
        problems: [{ file: fileName, key: null, message: 'not a file: choose the cluvio-agent.toml you downloaded' }],
      };
    if (info.size > MAX_CONFIG_TEXT_LENGTH)
      return {
        ok: false,
        problems: [
          {
            file: fileName,
            key: null,
            message: 'the file is larger than 1 MiB; a configuration file is a few lines of TOML',
          },
        ],
      };
    return await api.importConfig({ fileName, text: await readFile(file, 'utf8') });
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          file: fileName,
          key: null,
          message: `cannot read the file: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
    };
  }
}

export interface ImportMessage {
  readonly type: 'info' | 'error';
  readonly message: string;
  readonly detail: string;
}

export function importResultMessage(fileName: string, result: ConfigImportResult): ImportMessage {
  if (!result.ok) {
    return {
      type: 'error',
      message: `${fileName} was not imported`,
      detail: result.problems.map((p) => (p.key === null ? p.message : `${p.key}: ${p.message}`)).join('\n'),
    };
  }
  const lines = [
    `Agent ${result.config.agentId}, gateway ${result.config.server.host}:${result.config.server.port}.`,
    `Saved to ${result.path}.`,
  ];
  if (result.backupPath !== null) lines.push(`The previous file was kept as ${result.backupPath}.`);
  if (result.shadowedBy !== null) lines.push(`The command-line agent would read ${result.shadowedBy} first.`);
  return { type: 'info', message: `Imported ${fileName}`, detail: lines.join('\n') };
}

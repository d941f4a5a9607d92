/**
 * The confirmation step for a configuration that arrives without the user looking at the window
 * (opened with the app, passed on its command line, dropped on the Dock icon, picked from the
 * tray): before it replaces a configuration in use, the user is asked, and shown what changes —
 * the gateway, the agent ID, the allowed addresses. A file that cannot be used, or that is the
 * configuration already in use, needs no question; neither does a first configuration, which
 * replaces nothing.
 *
 * The question itself is the embedding process's (a native dialog in the desktop app); what is
 * asked, and when, is decided here, so every arrival path asks the same.
 */
import type { AgentApi, ConfigImportRequest, ConfigImportResult } from '../shared/agent-api.js';
import type { ConfigProblem, PublicConfig } from '../shared/agent-state.js';
import { type ConfigDifference, describeDifference } from '../shared/config-difference.js';

export interface ImportQuestion {
  readonly fileName: string;
  /** The configuration the file holds. */
  readonly config: PublicConfig;
  readonly difference: ConfigDifference;
  /** One line per change, e.g. `Gateway: a:443 → b:443`. */
  readonly changes: readonly string[];
  readonly warnings: readonly ConfigProblem[];
}

export type ArrivedImportOutcome =
  /** The user said no: nothing was read into the agent, nothing written. */
  | { readonly kind: 'declined'; readonly question: ImportQuestion }
  /** Imported (or refused with its problems, or already in use): the import's own result. */
  | { readonly kind: 'done'; readonly result: ConfigImportResult; readonly asked: boolean };

export async function importArrivedConfig(
  api: Pick<AgentApi, 'previewConfigImport' | 'importConfig'>,
  request: ConfigImportRequest,
  confirm: (question: ImportQuestion) => Promise<boolean>,
): Promise<ArrivedImportOutcome> {
  const preview = await api.previewConfigImport(request);
  if (!preview.ok) return { kind: 'done', result: preview, asked: false };
  if (preview.unchanged || !preview.replaces)
    return { kind: 'done', result: await api.importConfig(request), asked: false };
  const question: ImportQuestion = {
    fileName: request.fileName,
    config: preview.config,
    difference: preview.difference,
    changes: describeDifference(preview.difference),
    warnings: preview.warnings,
  };
  if (!(await confirm(question))) return { kind: 'declined', question };
  return { kind: 'done', result: await api.importConfig(request), asked: true };
}

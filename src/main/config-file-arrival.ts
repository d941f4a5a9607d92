/**
 * Every configuration file that reaches the app from outside its window goes through here: the
 * command line of the first launch, a later launch with a file (the second instance's argv:
 * "Open with" on Windows and Linux), macOS's 'open-file' (Finder's Open With, a drop on the Dock
 * icon), and the tray's file picker.
 *
 * Files that arrive before the agent is ready (macOS sends 'open-file' before 'ready' when the
 * app is launched by opening a file) wait, in order, until it is. They are handled one at a
 * time, so a second file waits for the first one's dialog.
 *
 * `importArrivedFile` is the one function every such file passes through: it reads the file with
 * the same checks as a drop, asks before it replaces a configuration in use and shows what
 * changes (the host's confirmation step, src/host/arrived-config-import.ts), then opens the
 * window, which shows the outcome (Status once the gateway has accepted the agent).
 */
import path from 'node:path';
import type { AgentApi } from '../shared/agent-api.js';
import { importArrivedConfig, type ImportQuestion } from '../host/arrived-config-import.js';
import {
  type ImportMessage,
  importResultMessage,
  problemsMessage,
  readConfigFileForImport,
} from './import-config-file.js';

export type ArrivalOrigin = 'command-line' | 'second-instance' | 'open-file' | 'tray-picker';

export interface ArrivalDependencies {
  readonly api: Pick<AgentApi, 'previewConfigImport' | 'importConfig'>;
  readonly showMainWindow: () => void;
  readonly showMessage: (message: ImportMessage) => Promise<void>;
  /** Asks whether the file may replace the configuration in use; resolves true for yes. */
  readonly confirm: (question: ImportQuestion, origin: ArrivalOrigin) => Promise<boolean>;
}

/** Imports one arrived file (after asking, where it replaces a configuration in use) and reports the outcome. */
export async function importArrivedFile(deps: ArrivalDependencies, file: string, origin: ArrivalOrigin): Promise<void> {
  const fileName = path.basename(file);
  const read = await readConfigFileForImport(file);
  if (!read.ok) {
    await deps.showMessage(problemsMessage(fileName, read.problems));
    return;
  }
  const outcome = await importArrivedConfig(deps.api, read.request, (question) => deps.confirm(question, origin));
  if (outcome.kind === 'declined') return;
  if (outcome.result.ok && outcome.result.change.status !== 'unchanged') deps.showMainWindow();
  const message = importResultMessage(fileName, outcome.result);
  if (message !== null) await deps.showMessage(message);
}

export class ConfigFileArrivals {
  readonly #handle: (file: string, origin: ArrivalOrigin) => Promise<void>;
  readonly #onError: (file: string, error: unknown) => void;
  readonly #waiting: { readonly file: string; readonly origin: ArrivalOrigin }[] = [];
  #ready = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    handle: (file: string, origin: ArrivalOrigin) => Promise<void>,
    onError: (file: string, error: unknown) => void,
  ) {
    this.#handle = handle;
    this.#onError = onError;
  }

  /** Files received so far that are not handled yet. */
  get pending(): number {
    return this.#waiting.length;
  }

  receive(file: string, origin: ArrivalOrigin): void {
    if (!this.#ready) {
      this.#waiting.push({ file, origin });
      return;
    }
    this.#enqueue(file, origin);
  }

  /** The agent is ready: handles the files that waited, then every new one as it comes. */
  ready(): void {
    if (this.#ready) return;
    this.#ready = true;
    for (const { file, origin } of this.#waiting.splice(0)) this.#enqueue(file, origin);
  }

  /** Resolves once every file received so far is handled. */
  settled(): Promise<void> {
    return this.#queue;
  }

  #enqueue(file: string, origin: ArrivalOrigin): void {
    this.#queue = this.#queue.then(async () => {
      try {
        await this.#handle(file, origin);
      } catch (error) {
        this.#onError(file, error);
      }
    });
  }
}

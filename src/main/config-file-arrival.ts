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
 * `importArrivedFile` is the one function every such file passes through: the confirmation step
 * of issue 18 ("Imports that arrive without the user looking at the window ask for confirmation
 * first and show what changes") goes at its marked first line.
 */
import path from 'node:path';
import type { AgentApi } from '../shared/agent-api.js';
import { importConfigFile, type ImportMessage, importResultMessage } from './import-config-file.js';

export type ArrivalOrigin = 'command-line' | 'second-instance' | 'open-file' | 'tray-picker';

export interface ArrivalDependencies {
  readonly api: Pick<AgentApi, 'importConfig'>;
  readonly showMainWindow: () => void;
  readonly showMessage: (message: ImportMessage) => Promise<void>;
}

/** Imports one arrived file and reports the outcome. */
export async function importArrivedFile(
  deps: ArrivalDependencies,
  file: string,
  _origin: ArrivalOrigin,
): Promise<void> {
  // Issue 18's confirmation goes here, before anything is read or written (`_origin` says where
  // the file came from, for its wording):
  //   if (!(await deps.confirm(file, _origin))) return;
  const result = await importConfigFile(deps.api, file);
  if (result.ok) deps.showMainWindow();
  await deps.showMessage(importResultMessage(path.basename(file), result));
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

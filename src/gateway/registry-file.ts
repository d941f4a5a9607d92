/**
 * The agents file (TOML), the persistent form of the registry:
 *
 *     [[agent]]
 *     id = "<agent id: 43 base64url characters>"
 *     name = "warehouse"          # optional, defaults to the first 8 characters of the id
 *     status = "enabled"          # or "disabled"; optional, defaults to "enabled"
 *
 * `RegistryFileWatcher` reloads it into an `AgentRegistry` when the file changes (debounced: an
 * editor's save is several events) or when asked (SIGHUP). A file that does not parse is
 * reported and the registry keeps its previous content: a half-written file never locks agents
 * out. Saving (the operator's enable/disable) rewrites the file atomically.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from '@iarna/toml';
import type { Logger } from '../tunnel/log/index.js';
import { type AgentEntry, type AgentRegistry, type AgentRegistryStatus, checkAgentId } from './agent-registry.js';
import { GatewayFileError, isTomlTable, tomlString } from './toml-text.js';

const STATUSES: readonly AgentRegistryStatus[] = ['enabled', 'disabled'];

/** Parses the agents file's text; throws `GatewayFileError` naming the entry and key. */
export function parseRegistryToml(text: string, file: string | null): AgentEntry[] {
  let document: unknown;
  try {
    document = parseToml(text);
  } catch (error) {
    throw new GatewayFileError(file, null, `not valid TOML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isTomlTable(document)) throw new GatewayFileError(file, null, 'expected a TOML document');
  const list = document.agent ?? [];
  if (!Array.isArray(list)) throw new GatewayFileError(file, 'agent', 'expected [[agent]] tables');
  const seen = new Set<string>();
  return list.map((item: unknown, index) => {
    const where = `[[agent]] #${index + 1}`;
    if (!isTomlTable(item)) throw new GatewayFileError(file, where, 'expected a table');
    const { id, name, status } = item;
    if (typeof id !== 'string')
      throw new GatewayFileError(
        file,
        `${where} id`,
        'expected the agent id (its public key, 43 base64url characters), e.g. id = "…"',
      );
    try {
      checkAgentId(id);
    } catch (error) {
      throw new GatewayFileError(file, `${where} id`, error instanceof Error ? error.message : String(error));
    }
    if (seen.has(id)) throw new GatewayFileError(file, `${where} id`, `agent ${id} is listed twice`);
    seen.add(id);
    if (name !== undefined && typeof name !== 'string')
      throw new GatewayFileError(file, `${where} name`, 'expected a string, e.g. name = "warehouse"');
    if (status !== undefined && !STATUSES.includes(status as AgentRegistryStatus)) {
      throw new GatewayFileError(file, `${where} status`, 'expected "enabled" or "disabled"');
    }
    return { id, name: name ?? id.slice(0, 8), status: (status as AgentRegistryStatus | undefined) ?? 'enabled' };
  });
}

export function formatRegistryToml(entries: readonly AgentEntry[]): string {
  const header = '# Agents this gateway lets in (cluvio-gateway). Reloaded on change and on SIGHUP.\n';
  const blocks = entries.map(
    (entry) =>
      `[[agent]]\nid = ${tomlString(entry.id)}\nname = ${tomlString(entry.name)}\nstatus = ${tomlString(entry.status)}\n`,
  );
  return [header, ...blocks].join('\n');
}

export async function loadRegistryFile(file: string): Promise<AgentEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new GatewayFileError(
      file,
      null,
      `cannot read the agents file: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseRegistryToml(text, file);
}

/** Writes the file atomically (temporary file + rename). */
export async function saveRegistryFile(file: string, entries: readonly AgentEntry[]): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(temporary, formatRegistryToml(entries), { mode: 0o644 });
  await rename(temporary, file);
}

export interface RegistryFileWatcherOptions {
  readonly file: string;
  readonly registry: AgentRegistry;
  readonly log: Logger;
  /** Quiet time after the last file event before reloading (default 150 ms). */
  readonly debounceMs?: number;
}

/**
 * Keeps a registry in step with its file. Watches the directory, not the file: editors and our
 * own save replace the file by renaming, which ends a watch on the old inode.
 */
export class RegistryFileWatcher {
  readonly file: string;
  readonly #registry: AgentRegistry;
  readonly #log: Logger;
  readonly #debounceMs: number;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Text of the last load or save, so that our own save does not trigger a reload. */
  #lastText: string | null = null;
  #reloading: Promise<void> = Promise.resolve();

  constructor(options: RegistryFileWatcherOptions) {
    this.file = path.resolve(options.file);
    this.#registry = options.registry;
    this.#log = options.log;
    this.#debounceMs = options.debounceMs ?? 150;
  }

  /** Loads the file into the registry (throws if it is unusable) and starts watching. */
  async start(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch((error: unknown) => {
      throw new GatewayFileError(
        this.file,
        null,
        `cannot read the agents file: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    this.#registry.replaceAll(parseRegistryToml(text, this.file));
    this.#lastText = text;
    const name = path.basename(this.file);
    this.#watcher = watch(path.dirname(this.file), (_event, changed) => {
      if (changed === null || changed === name) this.#schedule();
    });
    this.#watcher.on('error', (error) => {
      this.#log.warn('cannot watch the agents file; reload with SIGHUP', { file: this.file, error: error.message });
    });
  }

  /** Re-reads the file now (SIGHUP). Resolves when done; a bad file is logged, not thrown. */
  reload(): Promise<void> {
    return this.#enqueue(false);
  }

  /** Reloads serialised; `settle`: only once the file reads the same twice (after file events). */
  #enqueue(settle: boolean): Promise<void> {
    this.#reloading = this.#reloading.then(() => this.#reloadNow(settle));
    return this.#reloading;
  }

  /** Writes the registry's entries to the file (after an operator's enable/disable). */
  async save(): Promise<void> {
    const entries = this.#registry.list();
    this.#lastText = formatRegistryToml(entries);
    await saveRegistryFile(this.file, entries);
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#enqueue(true);
    }, this.#debounceMs);
    this.#timer.unref();
  }

  async #reloadNow(settle: boolean): Promise<void> {
    const text = await this.#read();
    if (text === null || text === this.#lastText) return;
    if (settle) {
      // A file being rewritten in place can be read empty or half-written; apply it only once it
      // reads the same twice, a debounce period apart (an empty registry would terminate everyone).
      await new Promise((resolve) => setTimeout(resolve, this.#debounceMs));
      const again = await this.#read();
      if (again !== text) {
        this.#schedule();
        return;
      }
    }
    try {
      const entries = parseRegistryToml(text, this.file);
      this.#lastText = text;
      this.#registry.replaceAll(entries);
      this.#log.info('agents file reloaded', { file: this.file, agents: entries.length });
    } catch (error) {
      this.#log.error('agents file not reloaded; keeping the previous agents', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async #read(): Promise<string | null> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      this.#log.warn('cannot read the agents file; keeping the previous agents', {
        file: this.file,
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    }
  }
}

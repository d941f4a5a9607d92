/**
 * The agents a gateway lets in: agent id (base64url public key, PROTOCOL.md §6.2) → name and
 * status. The gateway consults it after a successful challenge (unknown → Unauthorized,
 * disabled → Disabled) and reacts to its 'change' events (a disabled or removed agent is
 * terminated at once). It is plain memory; registry-file.ts loads it from and saves it to a file.
 */
import { EventEmitter } from 'node:events';
import { KeyTextError, decodeKeyText } from '../tunnel/auth/index.js';

export type AgentRegistryStatus = 'enabled' | 'disabled';

export interface AgentEntry {
  /** The agent id: base64url (no padding) of the agent's 32-byte X25519 public key. */
  readonly id: string;
  /** A label for operators (logs, `agents` listing, routes may name the agent by it). */
  readonly name: string;
  readonly status: AgentRegistryStatus;
}

export interface RegistryChange {
  /** Entries before and after, by id; `null` = absent. */
  readonly changes: readonly { readonly before: AgentEntry | null; readonly after: AgentEntry | null }[];
}

interface RegistryEvents {
  change: [change: RegistryChange];
}

/** Throws a RangeError naming the problem when `id` is not the text of a 32-byte key. */
export function checkAgentId(id: string): void {
  try {
    decodeKeyText(id);
  } catch (error) {
    const why = error instanceof KeyTextError ? error.message : String(error);
    throw new RangeError(`agent id "${id}" is not an agent public key (43 base64url characters): ${why}`, {
      cause: error,
    });
  }
}

export class AgentRegistry extends EventEmitter<RegistryEvents> {
  #entries = new Map<string, AgentEntry>();

  constructor(entries: readonly AgentEntry[] = []) {
    super();
    this.#entries = AgentRegistry.#index(entries);
  }

  get(id: string): AgentEntry | undefined {
    return this.#entries.get(id);
  }

  list(): AgentEntry[] {
    return [...this.#entries.values()];
  }

  /**
   * An entry by id, or by name when exactly one entry has that name (names are for humans and
   * need not be unique; an ambiguous name resolves to nothing).
   */
  find(idOrName: string): AgentEntry | undefined {
    const byId = this.#entries.get(idOrName);
    if (byId !== undefined) return byId;
    const named = this.list().filter((entry) => entry.name === idOrName);
    return named.length === 1 ? named[0] : undefined;
  }

  /** Adds or replaces one entry. */
  set(entry: AgentEntry): void {
    checkAgentId(entry.id);
    const before = this.#entries.get(entry.id) ?? null;
    this.#entries.set(entry.id, entry);
    if (!sameEntry(before, entry)) this.emit('change', { changes: [{ before, after: entry }] });
  }

  /** Changes the status of a known agent; false if the id is unknown. */
  setStatus(id: string, status: AgentRegistryStatus): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.set({ ...entry, status });
    return true;
  }

  remove(id: string): boolean {
    const before = this.#entries.get(id);
    if (before === undefined) return false;
    this.#entries.delete(id);
    this.emit('change', { changes: [{ before, after: null }] });
    return true;
  }

  /** Replaces every entry at once (a reloaded file); one 'change' event lists what differs. */
  replaceAll(entries: readonly AgentEntry[]): void {
    const next = AgentRegistry.#index(entries);
    const changes: { before: AgentEntry | null; after: AgentEntry | null }[] = [];
    for (const [id, before] of this.#entries) {
      const after = next.get(id) ?? null;
      if (!sameEntry(before, after)) changes.push({ before, after });
    }
    for (const [id, after] of next) {
      if (!this.#entries.has(id)) changes.push({ before: null, after });
    }
    this.#entries = next;
    if (changes.length > 0) this.emit('change', { changes });
  }

  static #index(entries: readonly AgentEntry[]): Map<string, AgentEntry> {
    const map = new Map<string, AgentEntry>();
    for (const entry of entries) {
      checkAgentId(entry.id);
      if (map.has(entry.id)) throw new RangeError(`agent ${entry.id} is listed twice`);
      map.set(entry.id, entry);
    }
    return map;
  }
}

function sameEntry(a: AgentEntry | null, b: AgentEntry | null): boolean {
  if (a === null || b === null) return a === b;
  return a.id === b.id && a.name === b.name && a.status === b.status;
}

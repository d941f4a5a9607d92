/**
 * One import or restore in flight (host-config-changes.ts): what it replaced, for a roll-back,
 * and the promise its caller waits on until the gateway's first answer (or a bound).
 */
import { rm } from 'node:fs/promises';
import type { ConfigChange } from '../shared/agent-api.js';
import type { PublicConfig } from '../shared/agent-state.js';
import { entriesBeyond } from '../tunnel/config/index.js';
import { removeConfigFile, replaceConfigFile } from './config-import-writer.js';

export interface ConfigTransactionInit {
  readonly change: ConfigChange;
  /** The file written. */
  readonly target: string;
  /** Its bytes before the change (null: there was no file). */
  readonly before: Buffer | null;
  /** The configuration that ran before, when a definite refusal should go back to it (never for a restore). */
  readonly rollBackTo: PublicConfig | null;
  /** The engine started on it (null: it could not be created), to tell whether it is still the one running. */
  readonly engine: unknown;
}

export class ConfigTransaction {
  change: ConfigChange;
  readonly target: string;
  readonly before: Buffer | null;
  readonly rollBackTo: PublicConfig | null;
  readonly engine: unknown;
  /** Ends the watch of the engine (set once it starts). */
  stopWatch: () => void = () => undefined;
  readonly #answered: Promise<void>;
  #answer: () => void = () => undefined;

  constructor(init: ConfigTransactionInit) {
    this.change = init.change;
    this.target = init.target;
    this.before = init.before;
    this.rollBackTo = init.rollBackTo;
    this.engine = init.engine;
    this.#answered = new Promise((resolve) => {
      this.#answer = resolve;
    });
  }

  /** The gateway has answered (or the change is over): the caller stops waiting. */
  answer(): void {
    this.#answer();
  }

  /** Resolves with the first answer, or after `ms`. */
  async waitForAnswer(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#answered, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /**
   * The allowed addresses the configuration to roll back to has beyond this change's (empty: none,
   * or nothing to roll back to). A refusal may be the gateway's way of getting a wider
   * `allowed-addresses` back — the same key and server as before, only the list narrowed, so
   * nothing in the new file could have caused it — and the allowlist is the user's limit on the
   * gateway: a roll-back never widens it. Then the user's file stays, and restoring is theirs.
   */
  widenedByRollBack(): string[] {
    if (this.rollBackTo === null) return [];
    return entriesBeyond(this.change.config.allowedAddresses, this.rollBackTo.allowedAddresses);
  }

  /** Puts the file back as it was before the change, and drops the backup the change made of it. */
  async putBack(): Promise<void> {
    if (this.before === null) await removeConfigFile(this.target);
    else await replaceConfigFile(this.target, this.before);
    if (this.change.backupPath !== null) await rm(this.change.backupPath, { force: true });
  }
}

/**
 * The host's configuration-change service: importing a file, restoring the previous one, and never
 * leaving the agent locked out by either (the desktop app, the dashboard, `cluvio-agent --dashboard`).
 *
 * An import is a transaction: every problem of the file at once, or — if it is valid and not the
 * file in use — the previous file kept as an owner-only backup, the new one written atomically,
 * the engine restarted on it and watched until the gateway answers (first-connection.ts). A
 * definite "no" (a permanent Terminate, a certificate the file's trust refuses, a trust that cannot
 * be loaded) puts the previous file back and runs on it, if a working configuration ran before and
 * it allows no address the refused one does not. Anything that may pass (the gateway unreachable,
 * a refused connection, a timeout) keeps the new file and says so, with "Restore previous" at hand;
 * the watch goes on, so a definite "no" that comes later still rolls back.
 *
 * A restore is the same without the automatic roll-back (the user asked for that file); the file
 * it replaces becomes the newest backup, so restoring again goes back.
 */
import path from 'node:path';
import type {
  AgentApi,
  ConfigChange,
  ConfigChangesState,
  ConfigImportResult,
  RestorableConfig,
  Unsubscribe,
} from '../shared/agent-api.js';
import type { PublicConfig } from '../shared/agent-state.js';
import { configDifference } from '../shared/config-difference.js';
import type { GatewayRefusal } from '../shared/gateway-refusal-words.js';
import type { LogFieldValue, LogLevel } from '../shared/log-record.js';
import type { ConfigBinding, ParsedConfig } from './config-binding.js';
import { swapInBackup } from './config-backups.js';
import * as words from './config-change-words.js';
import { checkImportText, findRestorable, isInUse, shadowingFile } from './config-import-checks.js';
import { writeConfigFile } from './config-import-writer.js';
import { type FirstAnswer, watchFirstConnection } from './first-connection.js';
import type { HostLifecycle } from './host-lifecycle.js';
import { ConfigTransaction } from './config-transaction.js';
import { previousContents } from './config-file-contents.js';

export interface HostConfigChangesOptions<C> {
  readonly binding: ConfigBinding<C>;
  readonly lifecycle: HostLifecycle<C>;
  readonly now: () => number;
  readonly log: (level: LogLevel, message: string, fields: Record<string, LogFieldValue>) => void;
  /** Longest wait for the gateway's first answer before an import resolves; default connect-timeout + 10 s, at most 45 s. */
  readonly answerWaitMs?: number;
}

/** What a change is before it has an id, a status and words. */
type ChangeBase = Omit<ConfigChange, 'id' | 'startedAt' | 'status' | 'difference' | 'message' | 'fix'>;

type Prepared = { readonly result: ConfigImportResult } | { readonly transaction: ConfigTransaction };

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const MAX_ANSWER_WAIT_MS = 45_000;

export class HostConfigChanges<C> {
  readonly #options: HostConfigChangesOptions<C>;
  readonly #lifecycle: HostLifecycle<C>;
  readonly #listeners = new Set<(state: ConfigChangesState) => void>();
  #current: ConfigTransaction | null = null;
  #previous: RestorableConfig | null = null;
  #nextId = 1;

  constructor(options: HostConfigChangesOptions<C>) {
    this.#options = options;
    this.#lifecycle = options.lifecycle;
  }

  readonly calls = {
    importConfig: ({ fileName, text }) => this.#change(() => this.#prepareImport(fileName, text)),
    previewConfigImport: async ({ fileName, text }) => {
      const checked = this.#check(fileName, text);
      if (!checked.ok) return checked;
      const target = this.#lifecycle.importTarget();
      const config = this.#options.binding.toPublic(checked.config, target);
      const loaded = this.#lifecycle.loaded;
      return {
        ok: true,
        config,
        difference: configDifference(loaded?.public ?? null, config),
        unchanged: await isInUse(this.#lifecycle.loaded?.path ?? null, target, text),
        replaces: loaded !== null,
        warnings: checked.warnings,
      };
    },
    restorePreviousConfig: () => this.#change(() => this.#prepareRestore()),
    getConfigChanges: () => Promise.resolve(this.state()),
    onConfigChanges: (listener: (state: ConfigChangesState) => void): Unsubscribe => {
      this.#listeners.add(listener);
      listener(this.state());
      return () => this.#listeners.delete(listener);
    },
  } satisfies Partial<AgentApi>;

  state(): ConfigChangesState {
    return { last: this.#current?.change ?? null, previous: this.#previous };
  }

  /** Reads the backups again (after the host started, or after a change): what "Restore previous" offers. */
  async refresh(): Promise<void> {
    this.#previous = await this.#findRestorable(this.#lifecycle.loaded?.public ?? null).catch(() => null);
    this.#publish();
  }

  /** Ends the watch (the host is closing). */
  close(): void {
    this.#current?.stopWatch();
    this.#listeners.clear();
  }

  #check(fileName: string, text: string): ParsedConfig<C> {
    return checkImportText(this.#options.binding, fileName, text, this.#options.log);
  }

  #findRestorable(current: PublicConfig | null): Promise<RestorableConfig | null> {
    return findRestorable(this.#options.binding, this.#lifecycle.importTarget(), current);
  }

  /** Prepares inside the lifecycle's queue, then waits (outside it) for the gateway's first answer. */
  async #change(prepare: () => Promise<Prepared>): Promise<ConfigImportResult> {
    const prepared = await this.#lifecycle.exclusive(prepare);
    if ('result' in prepared) return prepared.result;
    const transaction = prepared.transaction;
    const waitMs =
      this.#options.answerWaitMs ?? Math.min(transaction.change.config.connectTimeoutMs + 10_000, MAX_ANSWER_WAIT_MS);
    await transaction.waitForAnswer(waitMs);
    if (transaction.change.status === 'connecting' && this.#current === transaction)
      this.#update(transaction, 'connecting', words.stillWaitingWords(transaction.change, this.#previous !== null));
    return { ok: true, change: transaction.change };
  }

  async #prepareImport(fileName: string, text: string): Promise<Prepared> {
    const checked = this.#check(fileName, text);
    if (!checked.ok) return { result: checked };
    const target = this.#lifecycle.importTarget();
    const loaded = this.#lifecycle.loaded;
    const config = this.#options.binding.toPublic(checked.config, target);
    const base = { kind: 'import' as const, fileName, config, warnings: checked.warnings };
    if (await isInUse(this.#lifecycle.loaded?.path ?? null, target, text)) {
      const change = this.#newChange(
        { ...base, path: target, backupPath: null, shadowedBy: null },
        'unchanged',
        loaded?.public ?? null,
      );
      const { message, fix } = words.unchangedWords(change);
      return { result: { ok: true, change: { ...change, message, fix } } };
    }
    const before = await previousContents(target);
    const written = await writeConfigFile(target, text, new Date(this.#options.now()));
    this.#options.log('info', 'configuration imported', { path: written.path, backup: written.backupPath });
    const shadowedBy = await shadowingFile(this.#options.binding, target);
    if (shadowedBy !== null)
      this.#options.log('warn', 'the command-line agent would read another file first', { path: shadowedBy });
    return {
      transaction: await this.#begin(
        { ...base, path: target, backupPath: written.backupPath, shadowedBy },
        { target, before, rollBackTo: loaded?.public ?? null, config: checked.config },
      ),
    };
  }

  async #prepareRestore(): Promise<Prepared> {
    await this.refresh();
    const previous = this.#previous;
    const bytes = previous === null ? null : await previousContents(previous.path);
    if (previous === null || bytes === null) {
      const message = 'There is no previous configuration to restore.';
      return { result: { ok: false, problems: [{ file: null, key: null, message }], warnings: [] } };
    }
    const fileName = path.basename(previous.path);
    const checked = this.#check(fileName, bytes.toString('utf8'));
    if (!checked.ok) return { result: checked };
    const target = this.#lifecycle.importTarget();
    const { before, backupPath } = await swapInBackup(target, previous.path, bytes, new Date(this.#options.now()));
    this.#options.log('info', 'configuration restored', { path: target, from: previous.path, backup: backupPath });
    const config = this.#options.binding.toPublic(checked.config, target);
    return {
      transaction: await this.#begin(
        { kind: 'restore', fileName, config, warnings: checked.warnings, path: target, backupPath, shadowedBy: null },
        { target, before, rollBackTo: null, config: checked.config },
      ),
    };
  }

  /** Restarts the engine on the written file and starts watching it (inside the lifecycle's queue). */
  async #begin(
    base: ChangeBase,
    run: { target: string; before: Buffer | null; rollBackTo: PublicConfig | null; config: C },
  ): Promise<ConfigTransaction> {
    const change = this.#newChange(base, 'connecting', this.#lifecycle.loaded?.public ?? null);
    // A change still waiting for its answer is over: this one replaces it.
    this.#current?.stopWatch();
    this.#current?.answer();
    // What "Restore previous" offers now, known before the gateway's first answer needs it.
    this.#previous = await this.#findRestorable(base.config).catch(() => null);
    await this.#lifecycle.runOn(run.config, run.target);
    const engine = this.#lifecycle.engine;
    const transaction = new ConfigTransaction({
      change: { ...change, ...words.connectingWords(change) },
      target: run.target,
      before: run.before,
      rollBackTo: run.rollBackTo,
      engine,
    });
    this.#current = transaction;
    // Watch at once: on loopback the first attempt can fail before any further await returns.
    if (engine === null) {
      const detail = this.#lifecycle.engineError ?? 'the engine could not start';
      this.#onAnswer(transaction, { kind: 'refused', refusal: { kind: 'trust-unusable', detail } });
    } else {
      const server = `${base.config.server.host}:${base.config.server.port}`;
      transaction.stopWatch = watchFirstConnection(engine, server, (found) => {
        this.#onAnswer(transaction, found);
      });
    }
    this.#publish();
    return transaction;
  }

  /** A change of `base.config` over `replaced` (the configuration in use before it). */
  #newChange(base: ChangeBase, status: ConfigChange['status'], replaced: PublicConfig | null): ConfigChange {
    const difference = configDifference(replaced, base.config);
    return { ...base, id: this.#nextId++, startedAt: this.#options.now(), status, difference, message: '', fix: null };
  }

  #onAnswer(transaction: ConfigTransaction, found: FirstAnswer): void {
    if (this.#current !== transaction) return;
    const restorable = this.#previous !== null;
    switch (found.kind) {
      case 'online':
        this.#settle(transaction, 'confirmed', words.confirmedWords(transaction.change));
        this.#options.log('info', 'configuration confirmed by the gateway', { path: transaction.target });
        return;
      case 'disabled':
        this.#settle(transaction, 'disabled', words.disabledWords(transaction.change));
        return;
      case 'stopped':
      case 'unreachable':
        if (found.kind === 'unreachable' && transaction.change.status === 'connecting')
          this.#update(transaction, 'unreachable', words.unreachableWords(transaction.change, found.error, restorable));
        transaction.answer();
        return;
      case 'refused': {
        const beyond = transaction.widenedByRollBack();
        if (beyond.length > 0)
          this.#settle(transaction, 'refused', words.notRolledBackWords(transaction.change, found.refusal, beyond));
        else if (transaction.rollBackTo !== null) void this.#rollBack(transaction, found.refusal);
        else this.#settle(transaction, 'refused', words.refusedWords(transaction.change, found.refusal, restorable));
        this.#options.log('warn', 'configuration refused by the gateway', {
          path: transaction.target,
          refusal: found.refusal.kind === 'terminated' ? found.refusal.reason : found.refusal.kind,
          ...(beyond.length > 0 ? { not_rolled_back_to_also_allowed: beyond.join(', ') } : {}),
        });
      }
    }
  }

  /** Puts the file the refused one replaced back and runs on it again. */
  async #rollBack(transaction: ConfigTransaction, refusal: GatewayRefusal): Promise<void> {
    try {
      await this.#lifecycle.exclusive(async () => {
        // Something else (an import, a restore) replaced the configuration meanwhile: leave it.
        if (this.#current !== transaction || this.#lifecycle.engine !== transaction.engine) return;
        await transaction.putBack();
        await this.#lifecycle.startFromDisk();
        this.#options.log('warn', 'configuration rolled back', { path: transaction.target });
        transaction.change = { ...transaction.change, backupPath: null };
        this.#settle(
          transaction,
          'rolled-back',
          words.rolledBackWords(transaction.change, refusal, transaction.rollBackTo),
        );
      });
    } catch (error) {
      this.#options.log('error', 'rolling back the configuration failed', { error: describe(error) });
      this.#settle(transaction, 'refused', words.rollBackFailedWords(transaction.change, refusal, describe(error)));
    }
    transaction.answer();
    await this.refresh();
  }

  #settle(transaction: ConfigTransaction, status: ConfigChange['status'], said: words.ChangeWords): void {
    transaction.stopWatch();
    this.#update(transaction, status, said);
    transaction.answer();
    void this.refresh();
  }

  #update(transaction: ConfigTransaction, status: ConfigChange['status'], said: words.ChangeWords): void {
    transaction.change = { ...transaction.change, status, message: said.message, fix: said.fix };
    this.#publish();
  }

  #publish(): void {
    const state = this.state();
    for (const listener of [...this.#listeners]) listener(state);
  }
}

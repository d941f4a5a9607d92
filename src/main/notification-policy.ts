/**
 * Which state changes deserve a native notification, for someone whose window is closed and who
 * would otherwise only see a small icon change:
 *
 * - offline: the agent has been trying to reach the gateway for `offlineAfterMs` (a short blip,
 *   a laptop waking up, is no news);
 * - stopped: the gateway sent a permanent `Terminate` (the agent will not retry by itself);
 * - back online: the connection is back after an outage that was notified.
 *
 * At most `limit` offline notices in `windowMs` (a flapping connection is a few messages, not a
 * stream of them); each shown one is followed by its "back online", and "stopped" always shows:
 * it cannot repeat without the user acting. Off (the tray's *Notifications*), nothing is shown and an outage that began while off
 * is never followed by a "back online".
 *
 * Pure: fed snapshots and the time, it returns what to show; the caller shows it.
 */
import type { AgentSnapshot } from '../shared/agent-state.js';

export const OFFLINE_NOTICE_AFTER_MS = 2 * 60_000;
export const NOTICE_LIMIT = 3;
export const NOTICE_WINDOW_MS = 30 * 60_000;
/** How often the caller re-checks the offline threshold between snapshots. */
export const NOTICE_CHECK_INTERVAL_MS = 15_000;

export type NoticeKind = 'offline' | 'stopped' | 'back-online' | 'needs-configuration';

export interface AgentNotice {
  readonly kind: NoticeKind;
  readonly title: string;
  readonly body: string;
}

export interface NotificationPolicyOptions {
  readonly offlineAfterMs?: number;
  readonly limit?: number;
  readonly windowMs?: number;
}

function duration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 90) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `${hours} hours`;
}

function gateway(snapshot: AgentSnapshot): string {
  return snapshot.config === null ? 'the gateway' : snapshot.config.server.host;
}

export class NotificationPolicy {
  readonly #offlineAfterMs: number;
  readonly #limit: number;
  readonly #windowMs: number;
  #enabled: boolean;
  #last: AgentSnapshot | null = null;
  /** When the current outage began (trying to connect), or null while there is none. */
  #offlineSince: number | null = null;
  /** The offline notice of the current outage was decided (shown or dropped). */
  #offlineDecided = false;
  /** A notice about the current outage was shown: its end is news too. */
  #outageNoticed = false;
  #outageStart = 0;
  readonly #shownAt: number[] = [];

  constructor(enabled: boolean, options: NotificationPolicyOptions = {}) {
    this.#enabled = enabled;
    this.#offlineAfterMs = options.offlineAfterMs ?? OFFLINE_NOTICE_AFTER_MS;
    this.#limit = options.limit ?? NOTICE_LIMIT;
    this.#windowMs = options.windowMs ?? NOTICE_WINDOW_MS;
  }

  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
  }

  /** A new snapshot: the notices it calls for. */
  observe(snapshot: AgentSnapshot, now: number): AgentNotice[] {
    const previous = this.#last?.state.phase ?? null;
    this.#last = snapshot;
    const state = snapshot.state;
    const out: AgentNotice[] = [];
    switch (state.phase) {
      case 'online':
        if (this.#outageNoticed)
          this.#push(out, now, true, {
            kind: 'back-online',
            title: 'Cluvio Agent is back online',
            body: `Connected to ${state.server} again after ${duration(now - this.#outageStart)}.`,
          });
        this.#endOutage();
        break;
      case 'idle':
      case 'connecting':
      case 'authenticating':
      case 'backing-off':
        if (this.#offlineSince === null) {
          this.#offlineSince = now;
          this.#offlineDecided = false;
          if (!this.#outageNoticed) this.#outageStart = now;
        }
        break;
      case 'terminated':
        if (previous !== 'terminated') {
          this.#push(out, now, true, {
            kind: 'stopped',
            title: 'Cluvio Agent was stopped by the gateway',
            body: `${state.message} (${state.reason}). Open Cluvio Agent to see what to do.`,
          });
          if (!this.#outageNoticed) this.#outageStart = now;
          this.#outageNoticed ||= out.length > 0;
        }
        this.#offlineSince = null;
        break;
      case 'unconfigured':
      case 'disabled':
      case 'stopped':
        // Not an outage: nothing configured, or switched off on purpose (in Cluvio or here).
        this.#endOutage();
        break;
    }
    out.push(...this.tick(now));
    return out;
  }

  /** The passing of time alone: the offline notice once the threshold is reached. */
  tick(now: number): AgentNotice[] {
    const snapshot = this.#last;
    if (snapshot === null || this.#offlineSince === null || this.#offlineDecided) return [];
    if (now - this.#offlineSince < this.#offlineAfterMs) return [];
    this.#offlineDecided = true;
    const state = snapshot.state;
    const reason =
      state.phase === 'backing-off'
        ? `${state.reason}. `
        : snapshot.counters.lastError === null
          ? ''
          : `${snapshot.counters.lastError.message}. `;
    const out: AgentNotice[] = [];
    this.#push(out, now, false, {
      kind: 'offline',
      title: 'Cluvio Agent is offline',
      body: `No connection to ${gateway(snapshot)} for ${duration(now - this.#offlineSince)}. ${reason}It keeps trying.`,
    });
    this.#outageNoticed ||= out.length > 0;
    return out;
  }

  #endOutage(): void {
    this.#offlineSince = null;
    this.#offlineDecided = false;
    this.#outageNoticed = false;
  }

  #push(out: AgentNotice[], now: number, always: boolean, notice: AgentNotice): void {
    if (!this.#enabled) return;
    while (this.#shownAt.length > 0 && (this.#shownAt[0] ?? 0) <= now - this.#windowMs) this.#shownAt.shift();
    if (!always && this.#shownAt.length >= this.#limit) return;
    this.#shownAt.push(now);
    out.push(notice);
  }
}

/**
 * Fast recovery (after the machine slept, the screen was unlocked, or the network changed): the
 * agent asks "is my connection still alive?" at once, with a `Client::Ping` that must be answered
 * within a short deadline, instead of waiting up to two `ping-frequency` periods (§7.3). A Pong in
 * time: nothing to do. None: the connection is dead, and the agent reconnects immediately.
 *
 * One check at a time per connection; asking again while one is pending joins it. The deadline
 * runs from the request, not from the write, so a write that hangs on a dead socket still ends
 * the check. This is a separate tracker from the regular ping cadence (ping-schedule.ts), whose
 * state it never touches: a check's Pong is not the regular ping's Pong.
 */
import type { MessageId } from '../codec/index.js';
import type { Clock, Timer } from './clock.js';

/** How long a check waits for its Pong. */
export const CONNECTION_CHECK_TIMEOUT_MS = 5_000;

interface Pending {
  readonly token: number;
  readonly connection: object;
  readonly reason: string;
  readonly startedAt: number;
  readonly timer: Timer;
  id: MessageId | null;
}

export interface CheckOutcome {
  readonly reason: string;
  /** Milliseconds from the request to the Pong (or to the deadline). */
  readonly millis: number;
}

export class ConnectionCheck {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  #pending: Pending | null = null;
  #nextToken = 1;

  constructor(clock: Clock, timeoutMs: number = CONNECTION_CHECK_TIMEOUT_MS) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  get pending(): boolean {
    return this.#pending !== null;
  }

  /**
   * Starts a check of `connection`; `onDeadline(token)` is called once the deadline passes.
   * Returns the check's token, or null when one is already pending for this connection.
   */
  begin(connection: object, reason: string, onDeadline: (token: number) => void): number | null {
    if (this.#pending?.connection === connection) return null;
    this.reset();
    const token = this.#nextToken++;
    const timer = this.#clock.schedule(this.#timeoutMs, () => {
      onDeadline(token);
    });
    this.#pending = { token, connection, reason, startedAt: this.#clock.now(), timer, id: null };
    return token;
  }

  /** The check's Ping went out with `id`. */
  sent(token: number, id: MessageId): void {
    if (this.#pending?.token === token) this.#pending.id = id;
  }

  /** A Pong: the outcome when it answers the pending check, else null. */
  onPong(re: MessageId): CheckOutcome | null {
    const pending = this.#pending;
    if (pending?.id !== re) return null;
    return this.#finish(pending);
  }

  /** The deadline (or a failed write) of check `token`: its outcome if it is still pending. */
  expire(token: number): CheckOutcome | null {
    const pending = this.#pending;
    if (pending?.token !== token) return null;
    return this.#finish(pending);
  }

  /** Forgets any pending check (new connection, stop). */
  reset(): void {
    this.#pending?.timer.cancel();
    this.#pending = null;
  }

  #finish(pending: Pending): CheckOutcome {
    pending.timer.cancel();
    this.#pending = null;
    return { reason: pending.reason, millis: Math.max(0, this.#clock.now() - pending.startedAt) };
  }
}

/**
 * The reference agent's reconnect delays (PROTOCOL.md §7.2). One persistent counter, `attempt`,
 * which only the gateway's `Accepted` resets: before an attempt the agent sleeps 2^attempt s
 * when attempt > 0, then counts up to at most 6 — so 0, 2, 4, 8, 16, 32, 64, 64 … s from a fresh
 * counter. After `Terminate{Disabled}` every attempt waits a fixed 5 s and the counter is left
 * alone.
 */

export type DelayPolicy = 'exponential' | 'disabled';

/** The fixed delay after `Terminate{Disabled}`. */
export const DISABLED_RETRY_MS = 5_000;

const MAX_ATTEMPT = 6;

export class ReconnectBackoff {
  #attempt = 0;

  /** The counter as it is now (0 after Accepted). */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt under `policy`; counts the attempt (exponential only). */
  nextDelayMs(policy: DelayPolicy): number {
    if (policy === 'disabled') return DISABLED_RETRY_MS;
    const delay = this.#attempt > 0 ? 2 ** this.#attempt * 1000 : 0;
    if (this.#attempt < MAX_ATTEMPT) this.#attempt += 1;
    return delay;
  }

  /** The gateway accepted the agent. */
  reset(): void {
    this.#attempt = 0;
  }
}

/** A delay as humantime's `format_duration` prints it in `waiting … before connecting`: `2s`, `1m 4s`. */
export function formatDelay(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const millis = ms % 1000;
  const parts: string[] = [];
  const minutes = Math.floor(seconds / 60);
  if (minutes > 0) parts.push(`${minutes}m`);
  if (seconds % 60 > 0) parts.push(`${seconds % 60}s`);
  if (millis > 0) parts.push(`${millis}ms`);
  return parts.length === 0 ? '0s' : parts.join(' ');
}

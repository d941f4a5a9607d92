/**
 * The agent loop's inbox. Everything that can happen while the loop waits (a control message, a
 * new or finished data stream, a finished test, a connection going away) is pushed here; the
 * loop takes one event at a time, like the reference's `select!`, and may block (connecting,
 * backing off) while events wait. Activity-only events carry no data and are coalesced, so the
 * queue cannot grow without bound while the loop is blocked.
 */
import type { Clock } from './clock.js';

export type Waited<E> = { readonly kind: 'event'; readonly event: E } | { readonly kind: 'idle' };

export class EventQueue<E> {
  readonly #items: E[] = [];
  #waiter: ((event: E) => void) | null = null;
  readonly #isActivity: (event: E) => boolean;

  /** `isActivity`: events that only say "something happened" and may be merged with a queued twin. */
  constructor(isActivity: (event: E) => boolean) {
    this.#isActivity = isActivity;
  }

  get length(): number {
    return this.#items.length;
  }

  push(event: E): void {
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter(event);
      return;
    }
    if (this.#isActivity(event) && this.#items.some(this.#isActivity)) return;
    this.#items.push(event);
  }

  /**
   * The next event; if none arrives within `idleMs` (measured from now, i.e. re-armed on every
   * call), resolves with `idle`. Rejects with the signal's reason once it aborts.
   */
  next(clock: Clock, idleMs: number, signal: AbortSignal): Promise<Waited<E>> {
    const queued = this.#items.shift();
    if (queued !== undefined) return Promise.resolve({ kind: 'event', event: queued });
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        timer.cancel();
        this.#waiter = null;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(signal.reason as Error);
      };
      const timer = clock.schedule(idleMs, () => {
        finish();
        resolve({ kind: 'idle' });
      });
      this.#waiter = (event) => {
        finish();
        resolve({ kind: 'event', event });
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  clear(): void {
    this.#items.length = 0;
  }
}

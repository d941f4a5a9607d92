/**
 * Time as the engine sees it: the wall clock for timestamps and one-shot timers for delays
 * (backoff, ping cadence, connect timeouts). Injected so that tests drive the backoff schedule
 * and the ping cadence exactly instead of waiting for real seconds.
 */

/** A scheduled callback; `cancel()` is idempotent. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds (unless cancelled first). */
  schedule(ms: number, callback: () => void): Timer;
}

/** The real clock: `Date.now` and Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, callback) {
    const handle = setTimeout(callback, ms);
    return {
      cancel() {
        clearTimeout(handle);
      },
    };
  },
};

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason once it aborts; the timer
 * never outlives the wait.
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(signal.reason as Error);
    };
    const timer = clock.schedule(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

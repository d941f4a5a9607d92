/** A clock the test moves by hand: timers fire only inside `advance()`, in due order. */
import type { Clock, Timer } from '../../../../src/tunnel/agent/clock.js';

interface Scheduled {
  readonly at: number;
  readonly delay: number;
  readonly callback: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  #now: number;
  #timers: Scheduled[] = [];

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(ms: number, callback: () => void): Timer {
    const timer: Scheduled = { at: this.#now + ms, delay: ms, callback, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  /** Delays (as scheduled) of the timers still pending. */
  pendingDelays(): number[] {
    return this.#timers.map((t) => t.delay);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.at);
      if (!due.cancelled) due.callback();
    }
    this.#now = until;
  }
}

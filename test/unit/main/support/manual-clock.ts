/** The composition root's clock (desktop-electron.ts `DesktopClock`), moved by hand. */
import type { DesktopClock, TimerHandle } from '../../../../src/main/desktop-electron.js';

interface Timer {
  at: number;
  readonly every: number | null;
  readonly task: () => void;
  cancelled: boolean;
}

export class ManualClock implements DesktopClock {
  #now: number;
  readonly #timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(task: () => void, ms: number): TimerHandle {
    return this.#add({ at: this.#now + ms, every: null, task, cancelled: false });
  }

  setInterval(task: () => void, ms: number): TimerHandle {
    return this.#add({ at: this.#now + ms, every: ms, task, cancelled: false });
  }

  /** The one-off timers still to run, as milliseconds from now. */
  pendingTimeouts(): number[] {
    return this.#timers.filter((t) => !t.cancelled && t.every === null).map((t) => t.at - this.#now);
  }

  /** Moves time on by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const next = this.#timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.#now = Math.max(this.#now, next.at);
      if (next.every === null) next.cancelled = true;
      else next.at += next.every;
      next.task();
    }
    this.#now = end;
  }

  #add(timer: Timer): TimerHandle {
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }
}

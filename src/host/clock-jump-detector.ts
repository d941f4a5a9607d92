/**
 * Noticing that this process did not run for a while (the machine slept, the process was
 * stopped, a VM was paused): a timer ticks every second, and when the time since the previous
 * tick exceeds the threshold, on either clock, the process was away. The wall clock catches a
 * suspend (Linux's and macOS's monotonic clocks stand still while the machine sleeps); the
 * monotonic clock catches a stopped process or a blocked event loop. A wall-clock change made
 * by hand or by NTP may also trigger it: the cost is one extra connection check.
 *
 * The CLI's stand-in for Electron's `powerMonitor` resume event.
 */

export interface ClockJumpOptions {
  /** A gap longer than this counts as a jump (the CLI passes ping-frequency, at least 2 s). */
  readonly thresholdMs: number;
  readonly onJump: (gapMs: number) => void;
  /** Tick period (default 1 s). */
  readonly tickMs?: number;
  /** Wall clock, epoch ms (default `Date.now`). */
  readonly wallClock?: () => number;
  /** Monotonic clock, ms (default `performance.now`). */
  readonly monotonicClock?: () => number;
}

/** The smallest threshold: below two ticks, ordinary timer jitter would look like a jump. */
export const MIN_CLOCK_JUMP_THRESHOLD_MS = 2_000;

export class ClockJumpDetector {
  readonly #thresholdMs: number;
  readonly #onJump: (gapMs: number) => void;
  readonly #tickMs: number;
  readonly #wall: () => number;
  readonly #monotonic: () => number;
  #lastWall: number;
  #lastMonotonic: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: ClockJumpOptions) {
    this.#thresholdMs = Math.max(MIN_CLOCK_JUMP_THRESHOLD_MS, options.thresholdMs);
    this.#onJump = options.onJump;
    this.#tickMs = options.tickMs ?? 1_000;
    this.#wall = options.wallClock ?? Date.now;
    this.#monotonic = options.monotonicClock ?? (() => performance.now());
    this.#lastWall = this.#wall();
    this.#lastMonotonic = this.#monotonic();
  }

  get thresholdMs(): number {
    return this.#thresholdMs;
  }

  /** Starts ticking (unref'd: it never keeps the process alive). */
  start(): this {
    if (this.#timer !== null) return this;
    this.#lastWall = this.#wall();
    this.#lastMonotonic = this.#monotonic();
    this.#timer = setInterval(() => {
      this.tick();
    }, this.#tickMs).unref();
    return this;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One observation (what the timer runs); returns the gap when it counted as a jump, else null. */
  tick(): number | null {
    const wall = this.#wall();
    const monotonic = this.#monotonic();
    const gap = Math.max(wall - this.#lastWall, monotonic - this.#lastMonotonic);
    this.#lastWall = wall;
    this.#lastMonotonic = monotonic;
    if (gap <= this.#thresholdMs) return null;
    this.#onJump(gap);
    return gap;
  }
}

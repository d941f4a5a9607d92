/**
 * How much parsing a peer may ask of us. The peer decides how many frames it sends; frames that
 * need no reply (window updates, streams opened and reset at once) are never held back by the
 * write queue, so without a budget a peer that floods them holds a core, and one turn of the
 * event loop could parse 2 MiB of them (libuv hands a socket up to 32 reads per turn): a gateway
 * opening and resetting streams delayed the agent's `/healthz` and its ping deadline by seconds.
 *
 * Work is counted in units — a frame 1, a stream the peer opens `STREAM_OPEN_WORK` (what setting
 * one up costs our agent, ~15–20 µs, relative to a small frame) — against two limits:
 * - per turn of the event loop (`perTurn`): then timers and other sockets run;
 * - per second (`perSecond`, a token bucket holding one second's worth): a flood gets that much of
 *   our time and no more; reading waits until the bucket has refilled a turn's worth.
 * Data moves in frames of up to 16 KiB: 400 MiB/s is 25,000 frames a second, far below either
 * limit, so transfers never wait on it.
 */

/** Units a stream opened by the peer costs. */
export const STREAM_OPEN_WORK = 100;

export class ReadBudget {
  #turnWork = 0;
  /** The per-second bucket as of `#refilledAt`, not counting this turn's work yet. */
  #tokens: number;
  #refilledAt: number;

  constructor(
    private readonly perTurn: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = perSecond;
    this.#refilledAt = now();
  }

  /** Work done in this turn so far. */
  get turnWork(): number {
    return this.#turnWork;
  }

  spend(units: number): void {
    this.#turnWork += units;
  }

  /** Whether parsing may go on in this turn. */
  allows(): boolean {
    return this.#turnWork < this.perTurn && this.#turnWork < this.#tokens;
  }

  /**
   * A new turn: this turn's work is charged to the second's bucket, which refills with the time
   * passed. Returns how long (ms) to wait before reading again: 0, or the time until the bucket
   * holds a turn's worth again.
   */
  nextTurn(): number {
    const now = this.now();
    const refill = ((now - this.#refilledAt) / 1000) * this.perSecond;
    this.#tokens = Math.min(this.perSecond, this.#tokens - this.#turnWork + refill);
    this.#refilledAt = now;
    this.#turnWork = 0;
    if (this.#tokens >= this.perTurn) return 0;
    return Math.ceil(((this.perTurn - this.#tokens) / this.perSecond) * 1000);
  }
}

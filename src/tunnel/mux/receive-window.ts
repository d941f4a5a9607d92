/**
 * Receive-side flow control of one stream: how much the peer may still send, and when to give
 * credit back.
 *
 * Policy (yamux 0.10 `WindowUpdateMode::OnRead`, PROTOCOL.md §2.5): credit is returned only for
 * bytes the application has consumed, once they reach half the window, and the update carries
 * exactly that amount. Bytes received but not consumed keep holding the window, so a reader that
 * stops reading stops the peer after at most one window.
 *
 * Auto-tuning (as rust-yamux ≥ 0.13 and QUIC do): if that half window was consumed within two
 * round trips of the previous update, the window is the bottleneck, so it doubles (up to
 * `maxSize`, and within a budget shared by the session) and the growth rides on the same update.
 * Without an RTT measurement the window never grows, which is exactly 0.10's behaviour.
 */

/** How much all streams of a session together may grow beyond their initial windows. */
export class WindowGrowthBudget {
  constructor(private available: number) {}

  get remaining(): number {
    return this.available;
  }

  /** Takes up to `wanted` bytes of growth; returns what was granted. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.available));
    this.available -= granted;
    return granted;
  }

  give(bytes: number): void {
    this.available += bytes;
  }
}

export interface RttSource {
  /** The last measured round-trip time in ms, if any. */
  rttMs(): number | undefined;
  /** Starts a measurement in the background if there is none or it is stale. */
  refresh(): void;
}

export interface ReceiveWindowInit {
  /** Window the stream starts with (what we promise to buffer). */
  readonly size: number;
  /** Credit the peer starts with (the spec's 256 KiB for an inbound stream; `size` for one we open and announce). */
  readonly remaining: number;
  readonly autoTune: boolean;
  readonly maxSize: number;
  readonly budget: WindowGrowthBudget;
  readonly rtt: RttSource;
}

export class ReceiveWindow {
  private size: number;
  private remaining: number;
  private grown = 0;
  private lastUpdateAt = performance.now();

  constructor(private readonly init: ReceiveWindowInit) {
    this.size = init.size;
    this.remaining = init.remaining;
  }

  /** Current window size. */
  get windowSize(): number {
    return this.size;
  }

  /** Bytes the peer may still send before it needs an update. */
  get remainingCredit(): number {
    return this.remaining;
  }

  /** Accounts for an incoming Data body; false if the peer sends more than its credit. */
  receive(bytes: number): boolean {
    if (bytes > this.remaining) return false;
    this.remaining -= bytes;
    return true;
  }

  /**
   * The credit to announce now, or 0 when no update is due. `unconsumed` = bytes received (or
   * announced by a frame header) that the application has not read yet.
   */
  nextUpdate(unconsumed: number): number {
    const consumed = this.size - this.remaining - unconsumed;
    if (consumed < Math.floor(this.size / 2)) return 0;
    let credit = consumed;
    const now = performance.now();
    if (this.init.autoTune && this.size < this.init.maxSize) {
      const rtt = this.init.rtt.rttMs();
      if (rtt !== undefined && now - this.lastUpdateAt < 2 * rtt) {
        const growth = this.init.budget.take(Math.min(this.size, this.init.maxSize - this.size));
        this.size += growth;
        this.grown += growth;
        credit += growth;
      }
    }
    this.lastUpdateAt = now;
    this.remaining += credit;
    return credit;
  }

  /** Returns this stream's growth to the session budget (the stream is gone). */
  release(): void {
    this.init.budget.give(this.grown);
    this.grown = 0;
  }
}

/**
 * Pings we send: RTT measurement (`Session.ping()`, the window auto-tuning probe) and the optional
 * keepalive. Requests carry SYN and a counter as nonce; the peer echoes the nonce with ACK
 * (yamux 0.10 answers any Ping without ACK; hashicorp and libp2p implementations need the SYN).
 * Answers to nonces we did not send, or sent long ago, are ignored as 0.10 ignores all answers.
 */
import { MuxTimeoutError } from './errors.js';

interface PendingPing {
  readonly sentAt: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (rttMs: number) => void;
  readonly reject: (error: Error) => void;
}

/** After an unanswered probe, wait this long before probing again (a peer may not answer pings). */
const PROBE_BACKOFF_MS = 60_000;
/** An RTT older than this is refreshed by the next probe. */
const RTT_MAX_AGE_MS = 30_000;

export class PingTracker {
  private nextNonce = 0;
  private readonly pending = new Map<number, PendingPing>();
  private lastRtt: number | undefined;
  private measuredAt = 0;
  private probing = false;
  private probeAllowedAt = 0;
  private keepAlive: NodeJS.Timeout | undefined;
  private keepAliveInFlight = false;
  private closedWith: Error | undefined;

  constructor(
    private readonly sendPing: (nonce: number) => void,
    private readonly defaultTimeoutMs: number,
  ) {}

  /** The last measured round-trip time in ms. */
  get rttMs(): number | undefined {
    return this.lastRtt;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** Sends a Ping and resolves with the round-trip time in ms; rejects on timeout or close. */
  ping(timeoutMs = this.defaultTimeoutMs): Promise<number> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const nonce = this.nextNonce;
    this.nextNonce = (this.nextNonce + 1) >>> 0;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(nonce);
        reject(new MuxTimeoutError(`no answer to ping ${nonce} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(nonce, { sentAt: performance.now(), timer, resolve, reject });
      this.sendPing(nonce);
    });
  }

  /**
   * For window auto-tuning: starts a measurement in the background if there is none or it is
   * stale (so only sessions that move bulk data ever ping), at most one at a time.
   */
  refresh(): void {
    const now = performance.now();
    const stale = this.lastRtt === undefined || now - this.measuredAt > RTT_MAX_AGE_MS;
    if (stale && !this.probing && !this.closedWith && now >= this.probeAllowedAt) {
      this.probing = true;
      this.ping().then(
        () => {
          this.probing = false;
        },
        () => {
          this.probing = false;
          this.probeAllowedAt = performance.now() + PROBE_BACKOFF_MS;
        },
      );
    }
  }

  /** A Ping with ACK arrived. */
  onPong(nonce: number): void {
    const entry = this.pending.get(nonce);
    if (!entry) return;
    this.pending.delete(nonce);
    clearTimeout(entry.timer);
    const rtt = performance.now() - entry.sentAt;
    this.lastRtt = rtt;
    this.measuredAt = performance.now();
    entry.resolve(rtt);
  }

  /** Pings every `intervalMs`; `onDead` gets the error when one goes unanswered. */
  startKeepAlive(intervalMs: number, timeoutMs: number, onDead: (error: Error) => void): void {
    this.keepAlive = setInterval(() => {
      if (this.keepAliveInFlight) return;
      this.keepAliveInFlight = true;
      this.ping(timeoutMs).then(
        () => {
          this.keepAliveInFlight = false;
        },
        (error: unknown) => {
          this.keepAliveInFlight = false;
          if (!this.closedWith) onDead(error instanceof Error ? error : new MuxTimeoutError('keepalive failed'));
        },
      );
    }, intervalMs);
    this.keepAlive.unref();
  }

  /** Stops everything; pending pings reject with `error`. */
  close(error: Error): void {
    if (this.closedWith) return;
    this.closedWith = error;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.pending.clear();
  }
}

/**
 * The agent's own liveness check on the control stream (PROTOCOL.md §7.3). The agent loop arms
 * one timer of `ping-frequency` whenever it waits for its next event, so the timer only expires
 * after a full period without any event. On expiry: idle → send `Client::Ping` and await its
 * Pong; still awaiting → the gateway is gone, reconnect. A `Server::Pong` whose `re` is the
 * awaited id returns to idle; other Pongs are ignored.
 */
import type { MessageId } from '../codec/index.js';

export type PingExpiry = { readonly action: 'send-ping' } | { readonly action: 'no-pong'; readonly id: MessageId };

type PingState =
  { readonly kind: 'idle' } | { readonly kind: 'awaiting'; readonly id: MessageId; readonly sentAt: number };

export class PingSchedule {
  #state: PingState = { kind: 'idle' };

  get awaiting(): MessageId | null {
    return this.#state.kind === 'awaiting' ? this.#state.id : null;
  }

  /** The timer expired: what the agent has to do. */
  onExpiry(): PingExpiry {
    return this.#state.kind === 'idle' ? { action: 'send-ping' } : { action: 'no-pong', id: this.#state.id };
  }

  /** `Client::Ping` with `id` was written at `now`. */
  onPingSent(id: MessageId, now: number): void {
    this.#state = { kind: 'awaiting', id, sentAt: now };
  }

  /** A `Server::Pong`; returns the round trip in ms when it answers the awaited ping, else null. */
  onPong(re: MessageId, now: number): number | null {
    if (this.#state.kind !== 'awaiting' || this.#state.id !== re) return null;
    const rtt = Math.max(0, now - this.#state.sentAt);
    this.#state = { kind: 'idle' };
    return rtt;
  }

  /** A new connection starts idle. */
  reset(): void {
    this.#state = { kind: 'idle' };
  }
}

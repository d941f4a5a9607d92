import { describe, expect, it } from 'vitest';
import { PingSchedule } from '../../../src/tunnel/agent/ping-schedule.js';

describe('ping schedule (PROTOCOL.md §7.3)', () => {
  it('idle expiry sends a ping; an expiry while awaiting its pong means the gateway is gone', () => {
    const ping = new PingSchedule();
    expect(ping.onExpiry()).toEqual({ action: 'send-ping' });
    ping.onPingSent(42n, 1_000);
    expect(ping.awaiting).toBe(42n);
    expect(ping.onExpiry()).toEqual({ action: 'no-pong', id: 42n });
  });

  it('only the pong answering the awaited ping returns to idle, and it yields the round trip', () => {
    const ping = new PingSchedule();
    ping.onPingSent(7n, 1_000);
    expect(ping.onPong(8n, 1_010)).toBeNull();
    expect(ping.awaiting).toBe(7n);
    expect(ping.onPong(7n, 1_025)).toBe(25);
    expect(ping.awaiting).toBeNull();
    expect(ping.onPong(7n, 1_030)).toBeNull();
    expect(ping.onExpiry()).toEqual({ action: 'send-ping' });
  });

  it('a new connection starts idle', () => {
    const ping = new PingSchedule();
    ping.onPingSent(1n, 0);
    ping.reset();
    expect(ping.onExpiry()).toEqual({ action: 'send-ping' });
  });
});

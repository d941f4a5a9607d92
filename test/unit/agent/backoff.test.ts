import { describe, expect, it } from 'vitest';
import { DISABLED_RETRY_MS, ReconnectBackoff, formatDelay } from '../../../src/tunnel/agent/backoff.js';

describe('reconnect backoff (PROTOCOL.md §7.2)', () => {
  it('waits 0, 2, 4, 8, 16, 32, 64, 64 … s from a fresh counter', () => {
    const backoff = new ReconnectBackoff();
    const delays = Array.from({ length: 10 }, () => backoff.nextDelayMs('exponential'));
    expect(delays).toEqual([0, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 64_000, 64_000, 64_000]);
    expect(backoff.attempt).toBe(6);
  });

  it('only Accepted resets the counter: a connection that was never accepted keeps the gaps growing', () => {
    const backoff = new ReconnectBackoff();
    expect([
      backoff.nextDelayMs('exponential'),
      backoff.nextDelayMs('exponential'),
      backoff.nextDelayMs('exponential'),
    ]).toEqual([0, 2_000, 4_000]);
    backoff.reset();
    expect([backoff.nextDelayMs('exponential'), backoff.nextDelayMs('exponential')]).toEqual([0, 2_000]);
  });

  it('after Terminate{Disabled} every attempt waits a fixed 5 s and leaves the counter alone', () => {
    const backoff = new ReconnectBackoff();
    backoff.nextDelayMs('exponential');
    backoff.nextDelayMs('exponential');
    expect(backoff.attempt).toBe(2);
    expect([backoff.nextDelayMs('disabled'), backoff.nextDelayMs('disabled'), backoff.nextDelayMs('disabled')]).toEqual(
      [5_000, 5_000, 5_000],
    );
    expect(DISABLED_RETRY_MS).toBe(5_000);
    expect(backoff.attempt).toBe(2);
    expect(backoff.nextDelayMs('exponential')).toBe(4_000);
  });

  it('prints delays as humantime does in `waiting … before connecting ...`', () => {
    expect([2_000, 4_000, 5_000, 32_000, 64_000, 0, 1_500].map(formatDelay)).toEqual([
      '2s',
      '4s',
      '5s',
      '32s',
      '1m 4s',
      '0s',
      '1s 500ms',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { ReceiveWindow, WindowGrowthBudget, type RttSource } from '../../../src/tunnel/mux/receive-window.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** An RTT so long that any update counts as "fast", or so short that none does. */
const slowLink: RttSource = { rttMs: () => 60_000, refresh: () => undefined };
const instantLink: RttSource = { rttMs: () => 1e-9, refresh: () => undefined };
const unmeasured: RttSource = { rttMs: () => undefined, refresh: () => undefined };

function window(
  options: Partial<{ autoTune: boolean; maxSize: number; budget: WindowGrowthBudget; rtt: RttSource }> = {},
): ReceiveWindow {
  return new ReceiveWindow({
    size: 256 * KIB,
    remaining: 256 * KIB,
    autoTune: options.autoTune ?? true,
    maxSize: options.maxSize ?? 16 * MIB,
    budget: options.budget ?? new WindowGrowthBudget(64 * MIB),
    rtt: options.rtt ?? unmeasured,
  });
}

describe('receive window (0.10 OnRead policy)', () => {
  it('returns nothing below half a window consumed, then exactly the consumed amount', () => {
    const w = window({ autoTune: false });
    expect(w.receive(200 * KIB)).toBe(true);
    expect(w.nextUpdate(200 * KIB - (128 * KIB - 1))).toBe(0); // 128 KiB - 1 consumed
    expect(w.nextUpdate(200 * KIB - 128 * KIB)).toBe(128 * KIB);
    expect(w.remainingCredit).toBe(184 * KIB);
  });

  it('bytes received but not read keep holding the window, so an idle reader stops the peer', () => {
    const w = window({ autoTune: false });
    expect(w.receive(256 * KIB)).toBe(true);
    expect(w.nextUpdate(256 * KIB)).toBe(0);
    expect(w.receive(1)).toBe(false); // the peer has no credit left: one more byte is an overrun
    expect(w.nextUpdate(0)).toBe(256 * KIB);
    expect(w.receive(256 * KIB)).toBe(true);
  });
});

describe('receive window auto-tuning', () => {
  it('doubles when half a window was consumed within two RTTs, and announces the growth in the same update', () => {
    const w = window({ rtt: slowLink });
    w.receive(128 * KIB);
    expect(w.nextUpdate(0)).toBe(128 * KIB + 256 * KIB);
    expect(w.windowSize).toBe(512 * KIB);
    expect(w.remainingCredit).toBe(512 * KIB);
  });

  it('does not grow when updates are far apart in RTTs, without an RTT, or when turned off', () => {
    for (const w of [
      window({ rtt: instantLink }),
      window({ rtt: unmeasured }),
      window({ rtt: slowLink, autoTune: false }),
    ]) {
      w.receive(256 * KIB);
      expect(w.nextUpdate(0)).toBe(256 * KIB);
      expect(w.windowSize).toBe(256 * KIB);
    }
  });

  it('stops at maxSize', () => {
    const w = window({ rtt: slowLink, maxSize: 1 * MIB });
    for (let i = 0; i < 10; i += 1) {
      w.receive(w.remainingCredit);
      w.nextUpdate(0);
    }
    expect(w.windowSize).toBe(1 * MIB);
    expect(w.remainingCredit).toBe(1 * MIB);
  });

  it('shares the session budget between streams and gives it back when a stream goes', () => {
    const budget = new WindowGrowthBudget(256 * KIB);
    const first = window({ rtt: slowLink, budget });
    const second = window({ rtt: slowLink, budget });
    first.receive(256 * KIB);
    first.nextUpdate(0);
    second.receive(256 * KIB);
    second.nextUpdate(0);
    expect(first.windowSize + second.windowSize).toBe(768 * KIB);
    expect(budget.remaining).toBe(0);
    first.release();
    expect(budget.remaining).toBe(256 * KIB);
    second.receive(256 * KIB);
    second.nextUpdate(0);
    expect(second.windowSize).toBe(512 * KIB);
  });
});

/**
 * The CLI's stand-in for a resume event: a tick that comes much later than expected, on either
 * clock, is a jump (the machine slept: the wall clock moved; the process was stopped: both moved).
 */
import { describe, expect, it } from 'vitest';
import { ClockJumpDetector, MIN_CLOCK_JUMP_THRESHOLD_MS } from '../../../src/host/clock-jump-detector.js';

function detector(thresholdMs: number): {
  readonly detector: ClockJumpDetector;
  readonly jumps: number[];
  wall: number;
  mono: number;
} {
  const state = { wall: 1_000_000, mono: 5_000, jumps: [] as number[], detector: null as unknown as ClockJumpDetector };
  state.detector = new ClockJumpDetector({
    thresholdMs,
    onJump: (gap) => state.jumps.push(gap),
    wallClock: () => state.wall,
    monotonicClock: () => state.mono,
  });
  return state;
}

describe('clock jump detector', () => {
  it('ordinary ticks are no jump', () => {
    const d = detector(60_000);
    for (let i = 0; i < 10; i += 1) {
      d.wall += 1_000;
      d.mono += 1_000;
      expect(d.detector.tick()).toBeNull();
    }
    expect(d.jumps).toEqual([]);
  });

  it('a suspend (wall clock moved, monotonic clock stood still) longer than the threshold is a jump', () => {
    const d = detector(60_000);
    d.wall += 3_600_000;
    d.mono += 1_000;
    expect(d.detector.tick()).toBe(3_600_000);
    expect(d.jumps).toEqual([3_600_000]);
    d.wall += 1_000;
    d.mono += 1_000;
    expect(d.detector.tick()).toBeNull();
  });

  it('a stopped process (both clocks moved) is a jump; a gap within the threshold is not', () => {
    const d = detector(60_000);
    d.wall += 59_000;
    d.mono += 59_000;
    expect(d.detector.tick()).toBeNull();
    d.wall += 61_000;
    d.mono += 61_000;
    expect(d.detector.tick()).toBe(61_000);
  });

  it('never counts timer jitter: the threshold is at least two ticks', () => {
    const d = detector(300);
    expect(d.detector.thresholdMs).toBe(MIN_CLOCK_JUMP_THRESHOLD_MS);
    d.wall += 1_900;
    d.mono += 1_900;
    expect(d.detector.tick()).toBeNull();
  });
});

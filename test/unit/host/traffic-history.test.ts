import { describe, expect, it } from 'vitest';
import { TrafficHistory } from '../../../src/host/traffic-history.js';

const totals = (bytesToTarget: number, bytesFromTarget: number, streamsOpen = 0) => ({
  bytesToTarget,
  bytesFromTarget,
  streamsOpen,
});

describe('traffic history', () => {
  it('turns counter readings into bytes per second over each interval, with the open streams', () => {
    const history = new TrafficHistory();
    expect(history.record(totals(0, 0), 10_000)).toBeNull();
    expect(history.record(totals(2_000, 10_000, 3), 12_000)).toEqual({
      at: 12_000,
      toTargets: 1_000,
      fromTargets: 5_000,
      streamsOpen: 3,
    });
    expect(history.record(totals(2_000, 10_000, 1), 14_000)).toEqual({
      at: 14_000,
      toTargets: 0,
      fromTargets: 0,
      streamsOpen: 1,
    });
    expect(history.samples().map((s) => s.at)).toEqual([12_000, 14_000]);
  });

  it('reads counters that went down as a new engine’s (an import restarts them from zero), never as negative', () => {
    const history = new TrafficHistory();
    history.record(totals(50_000, 80_000), 0);
    expect(history.record(totals(100, 200), 2_000)).toMatchObject({ toTargets: 50, fromTargets: 100 });
    history.record(totals(0, 0), 4_000);
    expect(history.samples().at(-1)).toMatchObject({ toTargets: 0, fromTargets: 0 });
  });

  it('keeps only the newest samples once the window is full', () => {
    const history = new TrafficHistory(3);
    for (let i = 0; i <= 10; i += 1) history.record(totals(i * 100, 0), i * 1000);
    expect(history.samples().map((s) => s.at)).toEqual([8_000, 9_000, 10_000]);
  });
});

/**
 * The last minutes of traffic through the agent, for the Status view's chart: every few seconds
 * the byte counters and open streams are read and turned into a sample of bytes per second over
 * the interval. Bounded: the oldest sample goes once the window is full. Counters that went down
 * belong to a new engine (an import restarts it from zero): what they show is what it moved.
 */
import type { AgentCounters, TrafficSample } from '../shared/agent-state.js';

/** One sample every 2 s … */
export const TRAFFIC_SAMPLE_MS = 2_000;
/** … for the last 10 minutes. */
export const TRAFFIC_WINDOW_MS = 10 * 60_000;

type Totals = Pick<AgentCounters, 'bytesToTarget' | 'bytesFromTarget' | 'streamsOpen'>;

export class TrafficHistory {
  readonly #capacity: number;
  readonly #samples: TrafficSample[] = [];
  #previous: { readonly at: number; readonly totals: Totals } | null = null;

  constructor(capacity = Math.round(TRAFFIC_WINDOW_MS / TRAFFIC_SAMPLE_MS)) {
    this.#capacity = capacity;
  }

  /** Records the counters as they are at `at`; returns the new sample (none for the first reading). */
  record(totals: Totals, at: number): TrafficSample | null {
    const previous = this.#previous;
    this.#previous = { at, totals };
    if (previous === null || at <= previous.at) return null;
    const seconds = (at - previous.at) / 1000;
    const rate = (now: number, before: number): number => (now >= before ? now - before : now) / seconds;
    const sample: TrafficSample = {
      at,
      toTargets: rate(totals.bytesToTarget, previous.totals.bytesToTarget),
      fromTargets: rate(totals.bytesFromTarget, previous.totals.bytesFromTarget),
      streamsOpen: totals.streamsOpen,
    };
    this.#samples.push(sample);
    if (this.#samples.length > this.#capacity) this.#samples.splice(0, this.#samples.length - this.#capacity);
    return sample;
  }

  /** Oldest first. */
  samples(): readonly TrafficSample[] {
    return [...this.#samples];
  }
}

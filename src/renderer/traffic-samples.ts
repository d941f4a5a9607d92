/** The chart's samples: merged in time order without duplicates, the last 10 minutes kept; and their summary. No DOM. */
import type { TrafficSample } from '../shared/agent-state.js';
import { formatBytes } from './format.js';

const rate = (bytesPerSecond: number): string => `${formatBytes(Math.round(bytesPerSecond))}/s`;

export const TRAFFIC_WINDOW_MS = 10 * 60_000;

export function appendTraffic(
  current: readonly TrafficSample[],
  incoming: readonly TrafficSample[],
): readonly TrafficSample[] {
  if (incoming.length === 0) return current;
  const byTime = new Map<number, TrafficSample>();
  for (const sample of [...current, ...incoming]) byTime.set(sample.at, sample);
  const merged = [...byTime.values()].sort((a, b) => a.at - b.at);
  const newest = merged.at(-1)?.at ?? 0;
  return merged.filter((sample) => sample.at > newest - TRAFFIC_WINDOW_MS);
}

/** One sentence for the chart's text alternative: now, and the busiest moment of the window. */
export function trafficSummary(samples: readonly TrafficSample[]): string {
  const last = samples.at(-1);
  if (last === undefined) return 'No traffic measured yet: the first sample comes within a few seconds.';
  const now = `Now ${rate(last.toTargets)} to databases, ${rate(last.fromTargets)} from databases, ${last.streamsOpen} open stream${last.streamsOpen === 1 ? '' : 's'}.`;
  const peakTo = Math.max(...samples.map((s) => s.toTargets));
  const peakFrom = Math.max(...samples.map((s) => s.fromTargets));
  const peakStreams = Math.max(...samples.map((s) => s.streamsOpen));
  if (peakTo === 0 && peakFrom === 0 && peakStreams === 0) return `${now} Nothing moved in the last 10 minutes.`;
  return `${now} Busiest in the last 10 minutes: ${rate(peakTo)} to, ${rate(peakFrom)} from databases, ${peakStreams} open stream${peakStreams === 1 ? '' : 's'}.`;
}

/**
 * What a process holds, for "everything returns to baseline" assertions: active libuv handles
 * and requests by type (sockets, servers, timers, …) and event listeners on the emitters a leak
 * would grow.
 */
import type { EventEmitter } from 'node:events';

export type ResourceCounts = Record<string, number>;

/** Active handles and requests by type (`TCPSocketWrap`, `TCPServerWrap`, `Timeout`, …). */
export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Listeners per event name on each emitter, e.g. `{ 'process:exit': 1, 'agent:state': 2 }`. */
export function listenerCounts(emitters: Readonly<Record<string, EventEmitter>>): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const [label, emitter] of Object.entries(emitters)) {
    for (const event of emitter.eventNames()) counts[`${label}:${String(event)}`] = emitter.listenerCount(event);
  }
  return counts;
}

/** Entries that differ, as `name: baseline → now`. */
export function differences(baseline: ResourceCounts, now: ResourceCounts): string[] {
  const names = new Set([...Object.keys(baseline), ...Object.keys(now)]);
  return [...names]
    .sort()
    .filter((n) => (baseline[n] ?? 0) !== (now[n] ?? 0))
    .map((n) => `${n}: ${baseline[n] ?? 0} → ${now[n] ?? 0}`);
}

/**
 * Entries above their baseline, as `name: baseline → now`: what a leak looks like. A handle in
 * the baseline that has since ended (a real-time timer of the connection being set up when the
 * baseline was taken) is not a leak, and checking for equality made such a test flaky.
 */
export function growth(baseline: ResourceCounts, now: ResourceCounts): string[] {
  return Object.keys(now)
    .sort()
    .filter((n) => (now[n] ?? 0) > (baseline[n] ?? 0))
    .map((n) => `${n}: ${baseline[n] ?? 0} → ${now[n] ?? 0}`);
}

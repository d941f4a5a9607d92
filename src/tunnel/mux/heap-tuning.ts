/**
 * V8 heap tuning for a process that relays bulk data (the agent, the gateway), applied once per
 * process when the first mux session starts.
 *
 * Every socket read hands the process a fresh ArrayBuffer (64 KiB from TCP, 16 KiB per TLS
 * record), so an agent relaying 400 MiB/s churns through ArrayBuffers faster than anything else
 * it does. With V8's default, adaptive heap growing factor, the old generation of a small
 * process (the agent's is ~10 MB) gets a limit only a few MB above its live size, and that
 * churn then starts a full mark-compact every few tens of milliseconds: measured, 50–80 major
 * GCs per GiB relayed, ~30 % of the agent's CPU time (concurrent marking threads included),
 * where the bare TLS pipe of the benchmark, whose heap stayed on V8's initial limit, did none.
 * A fixed growing factor of 4 (V8's own maximum for small heaps) lets the old generation grow
 * to 4× its live size between full GCs: 8–12 major GCs per GiB, the agent's CPU per GiB down by
 * about a third (bench/README.md). The cost is memory that only garbage occupies: ~30 MB more at
 * most for a 10 MB heap, freed by the next full GC and by V8's memory reducer when idle.
 *
 * `--heap-growing-percent` is read at every full GC, so setting it at run time takes effect
 * (unlike the heap-size flags, which are fixed when the process starts).
 */
import v8 from 'node:v8';

/** Old generation limit after a full GC = live size × (1 + percent / 100). */
export const HEAP_GROWING_PERCENT = 300;

let tuned = false;

export function tuneHeapForRelaying(): void {
  if (tuned) return;
  tuned = true;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

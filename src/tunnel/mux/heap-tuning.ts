/**
 * V8 settings for a process that relays bulk data and may hold thousands of streams (the agent,
 * the gateway). They are the process's, not the library's: the entry points set them once — the
 * `cluvio-agent` and `cluvio-gateway` scripts (src/cli/agent.ts, src/cli/gateway.ts), the demo,
 * the Electron main process — and no module of the engine changes a process-wide setting by
 * itself (creating a mux session used to, in the Electron main process too).
 *
 * 1. `RELAY_NODE_FLAGS`, given to node when it starts (V8 sizes its heap then; setting them later
 *    has no effect, measured):
 *    `--max-semi-space-size=16` keeps the young generation at Node 20's size (16 MiB per
 *    semi-space). Node 24 lets it grow to 64 MiB per semi-space when many objects survive, which
 *    is what thousands of streams opening at once look like: a gateway opening 12,288 streams that
 *    never send `Connect` raised the agent's peak RSS by 126–148 MiB on Node 24 (the young
 *    generation alone took 128 MiB), 69–79 MiB with this flag — as on Node 20. The stream limit
 *    bounds memory either way; this keeps that bound where it was.
 *    Given by the scripts' shebang line (`#!/usr/bin/env -S node <flags>`; `env -S` is GNU
 *    coreutils ≥ 8.30 and BSD/macOS env, not BusyBox: there run `node <flags> $(which
 *    cluvio-agent)`), by a single-executable build's `execArgv`, and by the tests and benchmarks
 *    that start the scripts with `node` (test/unit/mux/heap-tuning.test.ts checks the shebangs
 *    against this list). Electron's main process takes V8 flags only from Electron's own command
 *    line (`--js-flags`), which the OS launchers own: the desktop app keeps Electron's default.
 *
 * 2. `tuneHeapForRelaying()`, called by the entry points at start (read by V8 at every full GC,
 *    so it takes effect at run time): a fixed heap growing factor of 4. Socket reads hand the
 *    process fresh buffers (16 KiB per TLS record), so a relaying process churns through
 *    ArrayBuffers faster than anything else it does. With V8's default, adaptive growing factor
 *    the old generation of a small process (~10 MB) gets a limit only a few MB above its live
 *    size, and that churn starts a full mark-compact every few tens of milliseconds: measured,
 *    50–80 major GCs per GiB relayed, ~30 % of the agent's CPU time; with a factor of 4 (V8's own
 *    maximum for small heaps) 8–12 per GiB, the agent's CPU per GiB down by about a third
 *    (bench/README.md). The cost is memory that only garbage occupies: ~30 MB more at most for a
 *    10 MB heap, freed by the next full GC and by V8's memory reducer when idle.
 */
import v8 from 'node:v8';

/** Node/V8 flags a relaying process is started with (see above). */
export const RELAY_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=16']);

/** Old generation limit after a full GC = live size × (1 + percent / 100). */
export const HEAP_GROWING_PERCENT = 300;

let tuned = false;

/** For entry points only (see above); a second call does nothing. */
export function tuneHeapForRelaying(): void {
  if (tuned) return;
  tuned = true;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

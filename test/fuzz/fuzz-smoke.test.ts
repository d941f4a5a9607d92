/**
 * CI's fuzz smoke run: the same harness as `npm run fuzz` (bench/fuzz/harness.ts), with 20,000
 * inputs instead of 1,000,000, over every target (framing push and pull, the four CBOR message
 * decoders, the yamux frame parser, whole yamux sessions, the config loader). A crash prints the
 * shrunk input and the seed/path that replays it with `node dist/bench/fuzz/run.js`.
 *
 * The seed is fixed so that CI runs are comparable; FUZZ_SEED overrides it.
 */
import { describe, expect, it } from 'vitest';
import { formatFuzzReport, fuzzTargetNames, runFuzz } from '../../bench/fuzz/harness.js';

const SMOKE_INPUTS = 20_000;
const seed = process.env.FUZZ_SEED === undefined ? 20_251_125 : Number(process.env.FUZZ_SEED);

describe('fuzz smoke run (CI)', () => {
  it(`${SMOKE_INPUTS} random and mutated inputs over every target: no crash, memory bounded`, async () => {
    const report = await runFuzz({ inputs: SMOKE_INPUTS, seed });
    const text = formatFuzzReport(report);
    expect(report.crashes, text).toBe(0);
    expect(report.inputs).toBe(SMOKE_INPUTS);
    expect(report.targets.map((t) => t.name)).toEqual(fuzzTargetNames());
    for (const target of report.targets) expect(target.inputs, target.name).toBeGreaterThan(0);
    // Seeds come from the shared vectors and from both recorded sessions.
    expect(report.seedSources.join('\n')).toMatch(/vectors\.json[\s\S]*reference-session\.json/);
    // Nothing the inputs do makes memory run away: every decoder holds at most a frame or so.
    for (const target of report.targets) expect(target.peakHeapBytes, target.name).toBeLessThan(512 * 1024 * 1024);
  }, 120_000);
});

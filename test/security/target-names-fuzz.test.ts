/**
 * CI's slice of the live names differential (bench/fuzz/names/names-fuzz.ts; `npm run fuzz` runs
 * 1,000,000 inputs): 4,000 generated targets — arbitrary bytes in names, IP addresses in every
 * spelling, hostile characters, look-alikes, long names, ports on and off the listeners — sent as
 * Tests and data streams to the real reference agent and to our CLI (two allowlists, two agent
 * pairs side by side). Every answer must agree with the reference's as DifferentialProbe judges
 * it, our agent must never reach an excluded listener but through names hosts/DNS map there, and
 * every DNS question it asks must be a checked name folded to lower case that the reference asked
 * too. About 10 s here (500 inputs/s with four agents on two shared cores).
 *
 * The seed is fixed so that CI runs are comparable; FUZZ_SEED overrides it. It needs the
 * reference agent, the built CLI, root and mount namespaces (the recording DNS): without them it
 * is skipped with the reason.
 */
import { describe, expect, it } from 'vitest';
import { formatNamesFuzzReport, namesFuzzSupport, runNamesFuzz } from '../../bench/fuzz/names/names-fuzz.js';

const CI_INPUTS = 4_000;
const seed = process.env.FUZZ_SEED === undefined ? 20_261_206 : Number(process.env.FUZZ_SEED);

describe('names differential fuzzing (CI slice)', () => {
  it(`${CI_INPUTS} generated targets against the reference agent and ours: no broken promise`, async (context) => {
    const support = await namesFuzzSupport();
    if (!support.ok) {
      context.skip(support.reason);
      return;
    }
    const report = await runNamesFuzz({ inputs: CI_INPUTS, seed });
    const text = formatNamesFuzzReport(report);
    expect(report.problems, text).toEqual([]);
    expect(report.inputs).toBe(CI_INPUTS);
    // The generator reaches every path: refusals, failures, connections, undecodable names, and
    // the inputs where the reference connects to an excluded listener and ours refuses.
    expect(report.nameInputs, text).toBeGreaterThan(CI_INPUTS / 2);
    for (const answer of ['Ok', 'AddressNotAllowed', 'CouldNotConnect', 'no-reply'])
      expect(report.answers.ours[answer] ?? 0, `${answer}\n${text}`).toBeGreaterThan(0);
    expect(report.stricter, text).toBeGreaterThan(0);
    expect(report.excludedHits.reference, text).toBeGreaterThan(0);
    expect(report.dnsQuestions.ours, text).toBeGreaterThan(0);
    console.log(text);
  }, 300_000);
});

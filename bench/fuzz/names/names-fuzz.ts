/**
 * Live differential fuzzing of target names (issue 13): generated targets (target-arbitraries.ts)
 * sent to the real reference agent 1.3.0 and to our CLI at once, in batches, by probe gateways —
 * one agent pair whose allowlist holds suffix patterns and exact names, one that allows every
 * name — and judged by DifferentialProbe (answers, excluded listeners, DNS questions).
 *
 * A batch that breaks a rule is run again one input at a time to find the input that does; only
 * a problem that reproduces that way fails the run (a listener connection counted a moment late
 * lands in the next batch — the previous batch's legitimate targets are taken into account for
 * that reason, and anything else that does not reproduce is counted and shown, not failed).
 *
 *   const report = await runNamesFuzz({ inputs: 2_000, seed: 42 });
 *   report.problems   // [] — or the inputs that broke a rule, each with its seed and batch
 *
 * Needs the reference agent, `npm run build` (our CLI from dist/), root and mount namespaces
 * (the recording DNS); `namesFuzzSupport()` says whether this machine has them.
 */
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { referenceAgentPath } from '../repo-root.js';
import { DifferentialProbe, PROBE_DNS, describeInput, type Judgement, type ProbeInput } from './differential.js';
import { EVERY_NAME_ALLOWLIST, SUFFIX_ALLOWLIST } from './name-table.js';
import { privateResolverSupport } from './private-resolver.js';
import { OUR_AGENT_CLI_PATH } from './probe-subject.js';
import { probeInput } from './target-arbitraries.js';

export interface NamesFuzzOptions {
  readonly inputs: number;
  readonly seed: number;
  /** Inputs in flight per agent at once (at most 32, half our cap of 64 Tests). Default 32. */
  readonly batch?: number;
  readonly log?: (line: string) => void;
}

export interface NamesFuzzReport {
  readonly seed: number;
  readonly inputs: number;
  readonly ms: number;
  /** Reproduced rule violations: the run fails if there is any. */
  readonly problems: readonly string[];
  /** Batch-level findings that did not reproduce input by input. */
  readonly unreproduced: readonly string[];
  /** Answers by agent: e.g. `Ok`, `CouldNotConnect`, `AddressNotAllowed`, `no-reply`. */
  readonly answers: {
    readonly reference: Readonly<Record<string, number>>;
    readonly ours: Readonly<Record<string, number>>;
  };
  /** Inputs where the reference connected and ours (stricter) answered CouldNotConnect. */
  readonly stricter: number;
  /** Data-stream refusals whose reply the reference lost behind its own RST (PROTOCOL.md §2.6). */
  readonly referenceRepliesLost: number;
  /** Connections on excluded listeners (127.0.0.1, 127.0.0.2, ::1), per agent. */
  readonly excludedHits: { readonly reference: number; readonly ours: number };
  /** DNS questions per agent (null without a recording DNS). */
  readonly dnsQuestions: { readonly reference: number; readonly ours: number };
  readonly inputsByVia: Readonly<Record<string, number>>;
  readonly nameInputs: number;
}

export type FuzzSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export async function namesFuzzSupport(): Promise<FuzzSupport> {
  if (!existsSync(referenceAgentPath))
    return { ok: false, reason: `the reference agent is not at ${referenceAgentPath}` };
  if (!existsSync(OUR_AGENT_CLI_PATH)) return { ok: false, reason: `${OUR_AGENT_CLI_PATH} is missing: npm run build` };
  return privateResolverSupport();
}

const MAX_BATCH = 32;

export async function runNamesFuzz(options: NamesFuzzOptions): Promise<NamesFuzzReport> {
  const support = await namesFuzzSupport();
  if (!support.ok) throw new Error(`names fuzzing cannot run here: ${support.reason}`);
  const batchSize = Math.min(MAX_BATCH, Math.max(1, options.batch ?? MAX_BATCH));
  const log = options.log ?? ((): void => undefined);
  const started = performance.now();
  const probes = await Promise.all(
    [SUFFIX_ALLOWLIST, EVERY_NAME_ALLOWLIST].map((allowlist) =>
      DifferentialProbe.start({ allowlist, dns: PROBE_DNS, logFilter: 'cluvio_agent=warn' }),
    ),
  );
  const problems: string[] = [];
  const unreproduced: string[] = [];
  const answers = { reference: {} as Record<string, number>, ours: {} as Record<string, number> };
  const inputsByVia: Record<string, number> = {};
  let stricter = 0;
  let referenceRepliesLost = 0;
  let nameInputs = 0;
  let done = 0;
  let dnsReference = 0;
  let dnsOurs = 0;
  let nextProgress = 0;
  const batches = fc.array(probeInput, { minLength: batchSize, maxLength: batchSize });
  try {
    // Each probe takes every other batch; the two run side by side.
    const lanes = probes.map(async (probe, lane) => {
      let previous: readonly ProbeInput[] = [];
      for (let index = lane; index * batchSize < options.inputs && problems.length === 0; index += probes.length) {
        const count = Math.min(batchSize, options.inputs - index * batchSize);
        const [generated] = fc.sample(batches, { seed: options.seed + index, numRuns: 1 });
        const inputs = (generated ?? []).slice(0, count);
        const outcome = await probe.runBatch(inputs, previous);
        previous = inputs;
        tally(inputs, outcome.judgements, outcome.answers);
        dnsReference += outcome.questions.reference;
        dnsOurs += outcome.questions.ours;
        const found = [...outcome.problems, ...outcome.judgements.flatMap((j) => j.problems)];
        if (found.length > 0) {
          const isolated = await isolate(probe, inputs);
          if (isolated.length > 0)
            problems.push(
              ...isolated.map(
                (p) =>
                  `${p}\n  (seed ${options.seed + index}, batch ${index}; allowlist ${JSON.stringify(probe.allowlist.texts())})`,
              ),
            );
          else unreproduced.push(...found.map((p) => `${p} (batch ${index}, did not reproduce input by input)`));
        }
        done += inputs.length;
        if (done >= nextProgress) {
          log(
            `names: ${done.toLocaleString('en-US')} of ${options.inputs.toLocaleString('en-US')} inputs, ${problems.length} problem(s)`,
          );
          nextProgress += Math.max(1_000, Math.floor(options.inputs / 20));
        }
      }
    });
    await Promise.all(lanes);
    for (const probe of probes) {
      for (const subject of [probe.reference, probe.ours]) {
        if (subject.program.child.exitCode !== null || subject.program.child.signalCode !== null)
          problems.push(
            `the ${subject.kind} agent exited during the run; output:\n${subject.program.output().slice(-2_000)}`,
          );
      }
    }
  } finally {
    await Promise.all(probes.map((probe) => probe.close()));
  }
  const hits = (kind: 'reference' | 'ours'): number =>
    probes.reduce((sum, probe) => {
      const counted = probe[kind].listeners.hits();
      return sum + ['127.0.0.1', '127.0.0.2', '::1'].reduce((n, address) => n + (counted.get(address) ?? 0), 0);
    }, 0);
  return {
    seed: options.seed,
    inputs: done,
    ms: performance.now() - started,
    problems,
    unreproduced,
    answers,
    stricter,
    referenceRepliesLost,
    excludedHits: { reference: hits('reference'), ours: hits('ours') },
    dnsQuestions: { reference: dnsReference, ours: dnsOurs },
    inputsByVia,
    nameInputs,
  };

  function tally(
    inputs: readonly ProbeInput[],
    judgements: readonly Judgement[],
    given: { reference: readonly string[]; ours: readonly string[] },
  ): void {
    inputs.forEach((input, i) => {
      inputsByVia[input.via] = (inputsByVia[input.via] ?? 0) + 1;
      if (input.target.kind === 'name') nameInputs += 1;
      const reference = given.reference[i] ?? 'no-reply';
      const ours = given.ours[i] ?? 'no-reply';
      answers.reference[reference] = (answers.reference[reference] ?? 0) + 1;
      answers.ours[ours] = (answers.ours[ours] ?? 0) + 1;
      if (judgements[i]?.stricter === true) stricter += 1;
      if (judgements[i]?.referenceReplyLost === true) referenceRepliesLost += 1;
    });
  }
}

/** Runs each input of a failing batch alone; returns the problems that reproduce. */
async function isolate(probe: DifferentialProbe, inputs: readonly ProbeInput[]): Promise<string[]> {
  const found: string[] = [];
  for (const input of inputs) {
    const { judgement } = await probe.runSequential(input);
    found.push(
      ...judgement.problems.map((p) => (p.startsWith(describeInput(input)) ? p : `${describeInput(input)}: ${p}`)),
    );
  }
  return found;
}

export function formatNamesFuzzReport(report: NamesFuzzReport): string {
  const rate = report.inputs / (report.ms / 1000);
  const answers = (counts: Readonly<Record<string, number>>): string =>
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([answer, n]) => `${answer} ${n.toLocaleString('en-US')}`)
      .join(', ');
  return [
    `Names differential: ${report.inputs.toLocaleString('en-US')} inputs (${report.nameInputs.toLocaleString('en-US')} names), seed ${report.seed}, ${(report.ms / 1000).toFixed(1)} s, ${rate.toFixed(0)} inputs/s`,
    `  via: ${Object.entries(report.inputsByVia)
      .map(([via, n]) => `${via} ${n.toLocaleString('en-US')}`)
      .join(', ')}`,
    `  reference answers: ${answers(report.answers.reference)}`,
    `  our answers:       ${answers(report.answers.ours)}`,
    `  ours stricter (CouldNotConnect where the reference connected): ${report.stricter.toLocaleString('en-US')}`,
    `  data-stream refusals the reference lost behind its own RST (PROTOCOL.md §2.6): ${report.referenceRepliesLost.toLocaleString('en-US')}`,
    `  connections on excluded listeners: reference ${report.excludedHits.reference.toLocaleString('en-US')}, ours ${report.excludedHits.ours.toLocaleString('en-US')} (ours only through names hosts/DNS map there)`,
    `  DNS questions: reference ${report.dnsQuestions.reference.toLocaleString('en-US')}, ours ${report.dnsQuestions.ours.toLocaleString('en-US')}`,
    `  problems: ${report.problems.length}${report.problems.length === 0 ? '' : `\n${report.problems.slice(0, 20).join('\n')}`}`,
    `  not reproduced: ${report.unreproduced.length}${report.unreproduced.length === 0 ? '' : `\n${report.unreproduced.slice(0, 10).join('\n')}`}`,
  ].join('\n');
}

/**
 * The fuzz harness: runs every target of targets.ts on its share of `inputs` random and mutated
 * inputs (seeded from vectors.json and recorded real sessions) and reports, per target, the
 * inputs run, crashes (oracle violations, throws other than the expected error types, uncaught
 * exceptions and unhandled rejections while the target runs, hangs) and peak memory.
 *
 * One harness for both uses, with the input count as a parameter:
 *   - `npm run fuzz` (bench/fuzz/run.ts, compiled to dist/bench/fuzz/run.js): 1,000,000 inputs;
 *   - the CI smoke test (test/fuzz/fuzz-smoke.test.ts, under Vitest): 20,000 inputs.
 *
 *   const report = await runFuzz({ inputs: 20_000, seed: 42 });
 *   report.crashes   // 0, or the failing targets carry a shrunk counterexample and a replay path
 */
import { seedCorpus, type SeedCorpus } from './captures.js';
import { FUZZ_TARGETS, type FuzzTarget } from './targets.js';

export interface FuzzOptions {
  /** Inputs across all targets, shared by weight (every selected target gets at least one). */
  readonly inputs: number;
  /** fast-check seed; the same seed and inputs replay the same run. */
  readonly seed: number;
  /** Only these targets (by name). */
  readonly only?: readonly string[];
  /** Progress lines (one per target started and finished). */
  readonly log?: (line: string) => void;
  /** A single input running longer than this is a hang (async targets). Default 10 s. */
  readonly inputTimeoutMs?: number;
  /** Replays one counterexample: with `only` naming one target and its crash's seed. */
  readonly path?: string;
}

export interface Crash {
  /** What went wrong, with the shrunk input. */
  readonly message: string;
  /** `fc.assert(…, { seed, path })` replays exactly this input. */
  readonly seed: number;
  readonly path: string | null;
}

export interface TargetReport {
  readonly name: string;
  readonly description: string;
  readonly inputs: number;
  readonly crashes: readonly Crash[];
  readonly ms: number;
  /** Highest heapUsed / rss sampled while this target ran. */
  readonly peakHeapBytes: number;
  readonly peakRssBytes: number;
}

export interface FuzzReport {
  readonly seed: number;
  readonly inputs: number;
  readonly crashes: number;
  readonly targets: readonly TargetReport[];
  readonly seedSources: readonly string[];
  readonly ms: number;
  /** Highest rss sampled during the run, and the OS's own peak (`getrusage` maxrss). */
  readonly peakRssBytes: number;
  readonly maxRssBytes: number;
  /** heapUsed after a full GC (if exposed) at the start and at the end. */
  readonly heapStartBytes: number;
  readonly heapEndBytes: number;
}

const SAMPLE_EVERY = 1024;

class MemorySampler {
  peakHeap = 0;
  peakRss = 0;
  #count = 0;

  readonly probe = (): void => {
    this.#count += 1;
    if (this.#count % SAMPLE_EVERY === 0) this.sample();
  };

  sample(): void {
    const usage = process.memoryUsage();
    this.peakHeap = Math.max(this.peakHeap, usage.heapUsed);
    this.peakRss = Math.max(this.peakRss, usage.rss);
  }
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}

/** Splits `total` by weight; every target gets at least one input. */
export function shareInputs(targets: readonly FuzzTarget[], total: number): number[] {
  const weight = targets.reduce((sum, t) => sum + t.weight, 0);
  const shares = targets.map((t) => Math.max(1, Math.floor((total * t.weight) / weight)));
  let rest = total - shares.reduce((sum, n) => sum + n, 0);
  for (let i = 0; rest > 0; i = (i + 1) % shares.length, rest -= 1) shares[i] = (shares[i] ?? 0) + 1;
  return shares;
}

async function runTarget(
  target: FuzzTarget,
  corpus: SeedCorpus,
  inputs: number,
  seed: number,
  inputTimeoutMs: number,
  path: string | undefined,
): Promise<TargetReport> {
  const sampler = new MemorySampler();
  sampler.sample();
  const crashes: Crash[] = [];
  // Errors escaping the code under test asynchronously (timers, stream callbacks) are crashes too.
  const escaped: unknown[] = [];
  const onEscaped = (error: unknown): void => {
    escaped.push(error);
  };
  process.on('uncaughtException', onEscaped);
  process.on('unhandledRejection', onEscaped);
  const started = performance.now();
  try {
    const outcome = await target.check(corpus, sampler.probe, {
      numRuns: inputs,
      seed,
      timeout: inputTimeoutMs,
      ...(path === undefined ? {} : { path }),
    });
    if (outcome.failed) {
      const error = outcome.error;
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? `\n  caused by ${error.cause.stack ?? error.cause.message}`
          : '';
      crashes.push({
        message: `${error instanceof Error ? error.message : String(error)}${cause}\n  input: ${outcome.counterexample}`,
        seed: outcome.seed,
        path: outcome.path,
      });
    }
  } finally {
    // Let stray callbacks of the last inputs run before the listeners go.
    await new Promise((resolve) => setTimeout(resolve, 10));
    process.off('uncaughtException', onEscaped);
    process.off('unhandledRejection', onEscaped);
  }
  for (const error of escaped) {
    crashes.push({
      message: `escaped the code under test: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      seed,
      path: null,
    });
  }
  sampler.sample();
  return {
    name: target.name,
    description: target.description,
    inputs,
    crashes,
    ms: performance.now() - started,
    peakHeapBytes: sampler.peakHeap,
    peakRssBytes: sampler.peakRss,
  };
}

export function fuzzTargetNames(): string[] {
  return FUZZ_TARGETS.map((t) => t.name);
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const targets = FUZZ_TARGETS.filter((t) => options.only === undefined || options.only.includes(t.name));
  const unknown = (options.only ?? []).filter((name) => !FUZZ_TARGETS.some((t) => t.name === name));
  if (unknown.length > 0)
    throw new Error(`unknown fuzz target(s): ${unknown.join(', ')}; known: ${fuzzTargetNames().join(', ')}`);
  const corpus = seedCorpus();
  const shares = shareInputs(targets, options.inputs);
  const log = options.log ?? ((): void => undefined);
  collectGarbage();
  const heapStartBytes = process.memoryUsage().heapUsed;
  const started = performance.now();
  const reports: TargetReport[] = [];
  for (const [index, target] of targets.entries()) {
    const inputs = shares[index] ?? 1;
    log(`${target.name}: ${inputs} inputs …`);
    const report = await runTarget(
      target,
      corpus,
      inputs,
      options.path === undefined ? options.seed + index : options.seed,
      options.inputTimeoutMs ?? 10_000,
      options.path,
    );
    log(
      `${target.name}: ${report.crashes.length === 0 ? 'no crash' : `${report.crashes.length} crash(es)`} in ${(report.ms / 1000).toFixed(1)} s`,
    );
    reports.push(report);
  }
  collectGarbage();
  return {
    seed: options.seed,
    inputs: shares.reduce((sum, n) => sum + n, 0),
    crashes: reports.reduce((sum, r) => sum + r.crashes.length, 0),
    targets: reports,
    seedSources: corpus.sources,
    ms: performance.now() - started,
    peakRssBytes: Math.max(...reports.map((r) => r.peakRssBytes)),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapStartBytes,
    heapEndBytes: process.memoryUsage().heapUsed,
  };
}

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

/** The report as the runner prints it (and bench/README.md quotes it). */
export function formatFuzzReport(report: FuzzReport): string {
  const lines = [
    `Fuzz run: ${report.inputs.toLocaleString('en-US')} inputs, seed ${report.seed}, ${(report.ms / 1000).toFixed(1)} s`,
    `Seeds: ${report.seedSources.join('; ')}`,
    '',
    '  target                  inputs     crashes   time     peak heap   peak rss',
  ];
  for (const t of report.targets) {
    lines.push(
      `  ${t.name.padEnd(22)} ${t.inputs.toLocaleString('en-US').padStart(9)} ${String(t.crashes.length).padStart(8)} ${`${(t.ms / 1000).toFixed(1)} s`.padStart(8)} ${mib(t.peakHeapBytes).padStart(11)} ${mib(t.peakRssBytes).padStart(10)}`,
    );
  }
  lines.push('');
  lines.push(`Crashes: ${report.crashes}`);
  lines.push(
    `Peak memory: rss ${mib(report.peakRssBytes)} sampled, ${mib(report.maxRssBytes)} OS maximum (getrusage); heap ${mib(report.heapStartBytes)} before, ${mib(report.heapEndBytes)} after`,
  );
  for (const t of report.targets) {
    for (const crash of t.crashes) {
      lines.push(
        '',
        `CRASH in ${t.name} (replay: seed ${crash.seed}${crash.path === null ? '' : `, path "${crash.path}"`}):`,
        crash.message,
      );
    }
  }
  return lines.join('\n');
}

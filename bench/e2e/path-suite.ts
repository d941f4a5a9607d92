/**
 * The side-by-side section: every metric on every path, in rounds. Within a round each metric
 * runs on all paths back to back (paired measurements), so a ratio compares figures taken
 * moments apart; every figure is then the median over rounds.
 *
 * Per round: bulk transfers up and down (with the CPU time of the agent-side and gateway-side
 * processes), concurrent downloads, echo latency, stream setups, the PostgreSQL workload. Idle
 * streams are a section of their own, on fresh processes each round (runIdleRound).
 */
import type { BenchPath } from './bench-path.js';
import type { Load } from './load.js';
import type { BenchOptions, MeasurementGroup } from './options.js';
import { type Measured, measuredCpuSeconds, measuredRssBytes } from './proc-stats.js';
import type { Results } from './results.js';
import { median } from './stats.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface SuiteContext {
  readonly options: BenchOptions;
  readonly load: Load;
  readonly results: Results;
  readonly log: (line: string) => void;
  /** A line for the report's notes (a failed measurement must show there, not only on stderr). */
  readonly note: (line: string) => void;
}

type Phase = (context: SuiteContext, paths: readonly BenchPath[], round: number) => Promise<void>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Median of a few RSS samples over half a second. */
async function settledRss(process: Measured): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    samples.push(measuredRssBytes(process));
    await sleep(100);
  }
  return median(samples);
}

/** Runs `measure` for every path, logging (not throwing) a path's failure. */
async function eachPath(
  context: SuiteContext,
  paths: readonly BenchPath[],
  what: string,
  measure: (path: BenchPath) => Promise<void>,
): Promise<void> {
  for (const path of paths) {
    try {
      await measure(path);
    } catch (error) {
      const line = `${what} on ${path.label} failed: ${error instanceof Error ? error.message : String(error)}`;
      context.log(`  ${line}`);
      context.note(line);
    }
  }
}

/**
 * Idle streams on freshly started paths (runIdleRound's caller starts them for each round): RSS of
 * the agent-side process before, with the smaller and with the larger count open, so that memory
 * left over from bulk transfers (kept by allocators and heaps) does not blur the differences.
 */
export async function runIdleRound(context: SuiteContext, paths: readonly BenchPath[], round: number): Promise<void> {
  const { load, results, options } = context;
  await eachPath(
    context,
    paths.filter((p) => p.agentSide !== undefined),
    `idle streams (round ${round})`,
    async (path) => {
      const side = path.agentSide;
      if (side === undefined) return;
      await sleep(options.settleMs);
      const base = await settledRss(side);
      let open = 0;
      let first: { streams: number; rss: number } | undefined;
      try {
        for (const wanted of options.idleStreams) {
          const count = Math.min(wanted, path.maxStreams);
          if (count > open) open = await load.run('openIdle', { port: path.targetPort, count: count - open });
          await sleep(options.settleMs);
          const rss = await settledRss(side);
          const detail = { streams: open, baseRssMiB: Number((base / MIB).toFixed(1)) };
          results.add({
            section: 'paths',
            round,
            path: path.key,
            metric: `idleRssMiB:${wanted}`,
            value: rss / MIB,
            unit: 'MiB',
            detail,
          });
          results.add({
            section: 'paths',
            round,
            path: path.key,
            metric: `idleKiBPerStream:${wanted}`,
            value: (rss - base) / open / 1024,
            unit: 'KiB',
            detail,
          });
          // What each further stream costs, without the one-time growth (heap spaces, buffers) of the first ones.
          if (first === undefined) first = { streams: open, rss };
          else if (open > first.streams) {
            results.add({
              section: 'paths',
              round,
              path: path.key,
              metric: 'idleMarginalKiB',
              value: (rss - first.rss) / (open - first.streams) / 1024,
              unit: 'KiB',
              detail: { from: first.streams, to: open },
            });
          }
        }
      } finally {
        await load.run('closeIdle', {});
      }
    },
  );
}

async function bulk(context: SuiteContext, paths: readonly BenchPath[], round: number): Promise<void> {
  const { load, results, options } = context;
  const bytes = options.bulkMiB * MIB;
  await eachPath(context, paths, 'bulk transfer', async (path) => {
    const cpu = (): [number, number] => [
      path.agentSide ? measuredCpuSeconds(path.agentSide) : Number.NaN,
      path.gatewaySide ? measuredCpuSeconds(path.gatewaySide) : Number.NaN,
    ];
    const [a0, g0] = cpu();
    const up = await load.run('bulkUp', { port: path.targetPort, bytes });
    const [a1, g1] = cpu();
    const down = await load.run('bulkDown', { port: path.targetPort, bytes });
    const [a2, g2] = cpu();
    const gib = bytes / GIB;
    const add = (metric: string, value: number, unit: string): void => {
      results.add({ section: 'paths', round, path: path.key, metric, value, unit });
    };
    add('up', up.mibPerSecond, 'MiB/s');
    add('down', down.mibPerSecond, 'MiB/s');
    add('cpuUp', (a1 - a0) / gib, 's/GiB');
    add('cpuDown', (a2 - a1) / gib, 's/GiB');
    add('gatewayCpuUp', (g1 - g0) / gib, 's/GiB');
    add('gatewayCpuDown', (g2 - g1) / gib, 's/GiB');
  });
}

async function concurrent(context: SuiteContext, paths: readonly BenchPath[], round: number): Promise<void> {
  const { load, results, options } = context;
  for (const streams of options.concurrentStreams) {
    await eachPath(context, paths, `${streams} streams`, async (path) => {
      const r = await load.run('concurrentDown', {
        port: path.targetPort,
        streams,
        bytes: options.concurrentMiB * MIB,
      });
      results.add({
        section: 'paths',
        round,
        path: path.key,
        metric: `agg:${streams}`,
        value: r.mibPerSecond,
        unit: 'MiB/s',
      });
      results.add({ section: 'paths', round, path: path.key, metric: `fair:${streams}`, value: r.fairness, unit: '' });
    });
  }
}

async function latency(context: SuiteContext, paths: readonly BenchPath[], round: number): Promise<void> {
  const { load, results, options } = context;
  await eachPath(context, paths, 'echo', async (path) => {
    const r = await load.run('echo', {
      port: path.targetPort,
      count: options.echoRoundTrips,
      maxMs: options.echoMaxMs,
    });
    results.add({ section: 'paths', round, path: path.key, metric: 'echoP50', value: r.p50Ms, unit: 'ms' });
    results.add({ section: 'paths', round, path: path.key, metric: 'echoP99', value: r.p99Ms, unit: 'ms' });
    results.add({ section: 'paths', round, path: path.key, metric: 'echoCount', value: r.roundTrips, unit: '' });
  });
}

async function setups(context: SuiteContext, paths: readonly BenchPath[], round: number): Promise<void> {
  const { load, results, options } = context;
  await eachPath(context, paths, 'stream setups', async (path) => {
    const r = await load.run('setupRate', { port: path.targetPort, durationMs: options.setupMs });
    results.add({
      section: 'paths',
      round,
      path: path.key,
      metric: 'setup',
      value: r.perSecond,
      unit: '/s',
      detail: { setups: r.setups, p50Ms: Number(r.p50Ms.toFixed(3)) },
    });
  });
}

async function postgres(context: SuiteContext, paths: readonly BenchPath[], round: number): Promise<void> {
  const { load, results, options } = context;
  await eachPath(context, paths, 'PostgreSQL', async (path) => {
    const r = await load.run('pg', {
      port: path.postgresPort,
      queries: options.pgQueries,
      maxMs: options.pgMaxMs,
      largeRows: options.pgLargeRows,
    });
    results.add({
      section: 'paths',
      round,
      path: path.key,
      metric: 'pgQps',
      value: r.queriesPerSecond,
      unit: '/s',
      detail: { queries: r.queries },
    });
    results.add({
      section: 'paths',
      round,
      path: path.key,
      metric: 'pgLargeMs',
      value: r.largeResultMs,
      unit: 'ms',
      detail: { rows: options.pgLargeRows, mib: Number(r.largeResultMiB.toFixed(1)) },
    });
  });
}

export async function runPathSuite(context: SuiteContext, paths: readonly BenchPath[]): Promise<void> {
  for (let round = 1; round <= context.options.rounds; round += 1) {
    const groups = context.options.groups;
    context.log(`round ${round}/${context.options.rounds}: ${groups.join(', ')}`);
    const phases: Record<MeasurementGroup, Phase> = { bulk, concurrent, echo: latency, setup: setups, pg: postgres };
    for (const group of groups) await phases[group](context, paths, round);
  }
}

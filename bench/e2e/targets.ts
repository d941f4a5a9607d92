/**
 * The targets, each checked against ratios measured in the same run (the median of
 * per-round ratios) or, for absolute bounds, the median figure.
 */
import type { Results } from './results.js';

export interface TargetCheck {
  readonly target: string;
  /** The measured ratio or figure, undefined when a path was not measured. */
  readonly measured: number | undefined;
  readonly bound: number;
  readonly comparison: '>=' | '<=';
  readonly unit: string;
  readonly met: boolean | undefined;
}

function check(
  target: string,
  measured: number | undefined,
  comparison: '>=' | '<=',
  bound: number,
  unit = '×',
): TargetCheck {
  const met = measured === undefined ? undefined : comparison === '>=' ? measured >= bound : measured <= bound;
  return { target, measured, bound, comparison, unit, met };
}

export function checkTargets(results: Results, idleCounts: readonly number[], rttMs: number): TargetCheck[] {
  const r = (path: string, baseline: string, metric: string): number | undefined =>
    results.ratio('paths', path, baseline, metric);
  const largestIdle = idleCounts.at(-1) ?? 0;
  const windowCeiling = 0.25 / (rttMs / 1000); // 256 KiB per round trip, in MiB/s
  const wan = (metric: string): number | undefined => {
    const mib = results.median('wan', 'wan-ours', metric);
    return mib === undefined ? undefined : mib / windowCeiling;
  };
  return [
    check('single stream up ≥ 0.8× TLS pipe', r('tunnel', 'tls', 'up'), '>=', 0.8),
    check('single stream down ≥ 0.8× TLS pipe', r('tunnel', 'tls', 'down'), '>=', 0.8),
    check('single stream up ≥ 1.0× ssh -L', r('tunnel', 'ssh', 'up'), '>=', 1.0),
    check('single stream down ≥ 1.0× ssh -L', r('tunnel', 'ssh', 'down'), '>=', 1.0),
    check('64-stream aggregate ≥ 1.0× ssh -L', r('tunnel', 'ssh', 'agg:64'), '>=', 1.0),
    check('64-stream fairness ≥ 0.5', results.median('paths', 'tunnel', 'fair:64'), '>=', 0.5, ''),
    check('echo p50 ≤ 1.1× ssh -L', r('tunnel', 'ssh', 'echoP50'), '<=', 1.1),
    check('stream setup rate ≥ 2× ssh -L', r('tunnel', 'ssh', 'setup'), '>=', 2.0),
    check(
      `RSS per idle stream at ${largestIdle.toLocaleString('en-US')} ≤ 4 KiB`,
      results.median('paths', 'tunnel', `idleKiBPerStream:${largestIdle}`),
      '<=',
      4,
      ' KiB',
    ),
    check(
      'RSS per further idle stream (between the two counts) ≤ 4 KiB',
      results.median('paths', 'tunnel', 'idleMarginalKiB'),
      '<=',
      4,
      ' KiB',
    ),
    check('agent CPU per GiB up ≤ 1.2× TLS pipe (exit end)', r('tunnel', 'tls', 'cpuUp'), '<=', 1.2),
    check('agent CPU per GiB down ≤ 1.2× TLS pipe (exit end)', r('tunnel', 'tls', 'cpuDown'), '<=', 1.2),
    check('single stream up ≥ 0.8× reference agent', r('tunnel', 'reference', 'up'), '>=', 0.8),
    check('single stream down ≥ 0.8× reference agent', r('tunnel', 'reference', 'down'), '>=', 0.8),
    check('64-stream aggregate ≥ 0.8× reference agent', r('tunnel', 'reference', 'agg:64'), '>=', 0.8),
    check('agent CPU per GiB up ≤ 2× reference agent', r('tunnel', 'reference', 'cpuUp'), '<=', 2.0),
    check('agent CPU per GiB down ≤ 2× reference agent', r('tunnel', 'reference', 'cpuDown'), '<=', 2.0),
    check(`${rttMs} ms RTT, down ≥ 4× window/RTT (${(4 * windowCeiling).toFixed(0)} MiB/s)`, wan('wanDown'), '>=', 4.0),
    check(`${rttMs} ms RTT, up ≥ 4× window/RTT (${(4 * windowCeiling).toFixed(0)} MiB/s)`, wan('wanUp'), '>=', 4.0),
  ];
}

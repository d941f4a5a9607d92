/** The Markdown report of a run: figures per path, targets, the wide-area section and notes. */
import type { PathKey } from './bench-path.js';
import { PATH_LABELS } from './bench-path.js';
import { type MetricKey, metricInfo } from './metrics.js';
import type { BenchOptions } from './options.js';
import type { Results } from './results.js';
import type { TargetCheck } from './targets.js';
import { WAN_LABELS } from './wan-suite.js';

function format(value: number | undefined, digits: number): string {
  if (value === undefined) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function pathMetrics(options: BenchOptions): MetricKey[] {
  return [
    'up',
    'down',
    ...options.concurrentStreams.flatMap((n) => [`agg:${n}`, `fair:${n}`]),
    'echoP50',
    'echoP99',
    'setup',
    ...options.idleStreams.flatMap((n) => [`idleRssMiB:${n}`, `idleKiBPerStream:${n}`]),
    'idleMarginalKiB',
    'cpuUp',
    'cpuDown',
    'gatewayCpuUp',
    'gatewayCpuDown',
    'pgQps',
    'pgLargeMs',
  ];
}

export interface ReportInput {
  readonly options: BenchOptions;
  readonly results: Results;
  readonly paths: readonly PathKey[];
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
  readonly environment: string;
}

export function markdownReport(input: ReportInput): string {
  const { options, results } = input;
  const lines: string[] = [];
  lines.push(input.environment, '');
  if (options.sections.includes('paths') || options.sections.includes('idle')) {
    const keys = input.paths;
    lines.push(
      `Median of ${options.rounds} round${options.rounds === 1 ? '' : 's'}; bulk ${options.bulkMiB} MiB each way, concurrent downloads ${options.concurrentMiB} MiB in total, ${options.echoRoundTrips.toLocaleString('en-US')} echo round trips, setups for ${options.setupMs / 1000} s; idle streams on fresh processes each round.`,
      '',
    );
    lines.push(`| metric | ${keys.map((k) => PATH_LABELS[k]).join(' | ')} |`);
    lines.push(`|---|${keys.map(() => '---:').join('|')}|`);
    for (const metric of pathMetrics(options)) {
      if (keys.every((k) => results.median('paths', k, metric) === undefined)) continue;
      const info = metricInfo(metric);
      const cells = keys.map((k) => {
        const value = results.median('paths', k, metric);
        const streams = results.detail('paths', k, metric)?.streams;
        const wanted = Number(metric.split(':')[1]);
        const short =
          metric.startsWith('idle') && typeof streams === 'number' && streams < wanted
            ? ` (${streams.toLocaleString('en-US')})`
            : '';
        return format(value, info.digits) + short;
      });
      lines.push(`| ${info.label}${info.unit === '' ? '' : `, ${info.unit}`} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  if (options.sections.includes('wan')) {
    const ceiling = 0.25 / (options.rttMs / 1000);
    lines.push(
      `Wide area: one stream through a delay line adding ${options.rttMs} ms of round trip between agent and gateway (a fixed 256 KiB window allows ${ceiling.toFixed(1)} MiB/s), median of ${options.rounds}; MiB/s.`,
      '',
    );
    lines.push('| path | down | up |', '|---|---:|---:|');
    for (const key of Object.keys(WAN_LABELS)) {
      const down = results.median('wan', key, 'wanDown');
      const up = results.median('wan', key, 'wanUp');
      if (down === undefined && up === undefined) continue;
      lines.push(`| ${WAN_LABELS[key] ?? key} | ${format(down, 1)} | ${format(up, 1)} |`);
    }
    lines.push('');
  }
  lines.push('| target (ratios: median of per-round ratios) | measured | met |', '|---|---:|:---:|');
  for (const t of input.targets) {
    const measured = t.measured === undefined ? 'not measured' : `${format(t.measured, 2)}${t.unit}`;
    lines.push(`| ${t.target} | ${measured} | ${t.met === undefined ? '—' : t.met ? 'yes' : '**no**'} |`);
  }
  if (input.notes.length > 0) {
    lines.push('');
    for (const note of input.notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What a benchmark run measured: every sample (one figure of one path in one round), kept in
 * memory and appended to a JSON-lines file as it comes, so an interrupted run still leaves its
 * data behind. Medians over rounds, and ratios as the median of per-round ratios against a
 * baseline measured in the same round (paired rounds cancel a shared machine's drifts).
 */
import { appendFileSync } from 'node:fs';
import type { MetricKey } from './metrics.js';
import { median } from './stats.js';

export type Section = 'paths' | 'wan';

export interface Sample {
  readonly section: Section;
  readonly round: number;
  readonly path: string;
  readonly metric: MetricKey;
  readonly value: number;
  readonly unit: string;
  /** Anything worth keeping beside the figure (stream count actually reached, round trips, …). */
  readonly detail?: Readonly<Record<string, number | string>>;
}

export class Results {
  readonly samples: Sample[] = [];

  constructor(private readonly file: string | undefined) {}

  /** Appends any other record (run header, summaries, targets) to the JSON-lines file. */
  write(record: object): void {
    if (this.file !== undefined) appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }

  add(sample: Sample): void {
    if (!Number.isFinite(sample.value)) return;
    this.samples.push(sample);
    this.write({ kind: 'sample', ...sample });
  }

  values(section: Section, path: string, metric: MetricKey): number[] {
    return this.samples
      .filter((s) => s.section === section && s.path === path && s.metric === metric)
      .map((s) => s.value);
  }

  /** Median over rounds, or undefined if never measured. */
  median(section: Section, path: string, metric: MetricKey): number | undefined {
    const values = this.values(section, path, metric);
    return values.length === 0 ? undefined : median(values);
  }

  /** Median over rounds of value(path) / value(baseline) in the same round. */
  ratio(section: Section, path: string, baseline: string, metric: MetricKey): number | undefined {
    const ratios: number[] = [];
    for (const sample of this.samples) {
      if (sample.section !== section || sample.path !== path || sample.metric !== metric) continue;
      const base = this.samples.find(
        (s) => s.section === section && s.path === baseline && s.metric === metric && s.round === sample.round,
      );
      if (base !== undefined && base.value > 0) ratios.push(sample.value / base.value);
    }
    return ratios.length === 0 ? undefined : median(ratios);
  }

  /** The sample's detail of the last round that has one, e.g. how many idle streams a path reached. */
  detail(section: Section, path: string, metric: MetricKey): Readonly<Record<string, number | string>> | undefined {
    return this.samples
      .filter((s) => s.section === section && s.path === path && s.metric === metric && s.detail !== undefined)
      .at(-1)?.detail;
  }
}

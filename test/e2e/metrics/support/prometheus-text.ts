/**
 * A strict reader of the Prometheus text exposition format 0.0.4, enough to check what the agent
 * serves: every sample belongs to a family announced by `# HELP` and `# TYPE` lines before it,
 * names and labels are well formed, values are numbers, counters end in `_total`, and histogram
 * buckets are cumulative with `+Inf` equal to `_count`. Throws with the offending line otherwise.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly help: string;
  readonly samples: Sample[];
}

export interface Exposition {
  readonly families: ReadonlyMap<string, Family>;
  /** The value of `name` with exactly `labels` (all of them), or undefined. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\["\\n])*)"\s*(?:,|$)/y;

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a number in ${JSON.stringify(line)}`);
  return value;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (match === null) throw new Error(`bad labels in ${JSON.stringify(line)}`);
    const [, key = '', raw = ''] = match;
    if (key in labels) throw new Error(`label ${key} twice in ${JSON.stringify(line)}`);
    labels[key] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The family a sample name belongs to (histogram samples carry `_bucket`, `_sum`, `_count`). */
function familyOf(name: string, families: ReadonlyMap<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct !== undefined) return direct;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const family = families.get(base);
  return family?.type === 'histogram' || family?.type === 'summary' ? family : undefined;
}

export function parsePrometheusText(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) {
      const [, name = '', ...help] = line.split(' ').slice(1);
      if (!NAME.test(name) || helps.has(name)) throw new Error(`bad or repeated HELP: ${line}`);
      helps.set(name, help.join(' '));
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name = '', type = ''] = line.slice('# TYPE '.length).split(' ');
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type) || families.has(name))
        throw new Error(`bad or repeated TYPE: ${line}`);
      const help = helps.get(name);
      if (help === undefined) throw new Error(`TYPE before HELP: ${line}`);
      if (type === 'counter' && !name.endsWith('_total'))
        throw new Error(`a counter's name should end in _total: ${line}`);
      families.set(name, { name, type: type as Family['type'], help, samples: [] });
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`bad sample: ${JSON.stringify(line)}`);
    const [, name = '', labelText, valueText = ''] = match;
    const family = familyOf(name, families);
    if (family === undefined) throw new Error(`sample without HELP/TYPE before it: ${line}`);
    family.samples.push({
      name,
      labels: labelText === undefined ? {} : parseLabels(labelText, line),
      value: parseValue(valueText, line),
    });
  }
  for (const family of families.values()) {
    if (family.type !== 'histogram') continue;
    const buckets = family.samples.filter((sample) => sample.name === `${family.name}_bucket`);
    const count = family.samples.find((sample) => sample.name === `${family.name}_count`)?.value;
    const inf = buckets.find((bucket) => bucket.labels.le === '+Inf')?.value;
    if (inf === undefined || count === undefined || inf !== count)
      throw new Error(`histogram ${family.name}: +Inf bucket must equal _count`);
    for (let i = 1; i < buckets.length; i += 1) {
      if ((buckets[i]?.value ?? 0) < (buckets[i - 1]?.value ?? 0))
        throw new Error(`histogram ${family.name}: buckets are not cumulative`);
    }
  }
  return {
    families,
    value(name, labels = {}) {
      const family = familyOf(name, families);
      const wanted = Object.entries(labels);
      return family?.samples.find(
        (sample) =>
          sample.name === name &&
          Object.keys(sample.labels).length === wanted.length &&
          wanted.every(([k, v]) => sample.labels[k] === v),
      )?.value;
    },
  };
}

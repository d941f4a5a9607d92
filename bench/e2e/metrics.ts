/** Every figure the benchmark reports: its label, unit and which way is better. */

export type Better = 'higher' | 'lower';

export interface MetricInfo {
  readonly label: string;
  readonly unit: string;
  readonly better: Better;
  readonly digits: number;
}

/** Metric keys; idle-stream keys carry the stream count (`idleKiBPerStream:10000`). */
export type MetricKey = string;

const FIXED: Readonly<Record<string, MetricInfo>> = {
  up: { label: 'bulk up, 1 stream', unit: 'MiB/s', better: 'higher', digits: 0 },
  down: { label: 'bulk down, 1 stream', unit: 'MiB/s', better: 'higher', digits: 0 },
  'agg:8': { label: 'aggregate down, 8 streams', unit: 'MiB/s', better: 'higher', digits: 0 },
  'fair:8': { label: 'fairness, 8 streams (slowest/mean)', unit: '', better: 'higher', digits: 2 },
  'agg:64': { label: 'aggregate down, 64 streams', unit: 'MiB/s', better: 'higher', digits: 0 },
  'fair:64': { label: 'fairness, 64 streams (slowest/mean)', unit: '', better: 'higher', digits: 2 },
  echoP50: { label: 'echo 1 byte, p50', unit: 'ms', better: 'lower', digits: 3 },
  echoP99: { label: 'echo 1 byte, p99', unit: 'ms', better: 'lower', digits: 3 },
  echoCount: { label: 'echo round trips measured', unit: '', better: 'higher', digits: 0 },
  setup: { label: 'stream setups (open, 1 round trip, close)', unit: '/s', better: 'higher', digits: 0 },
  cpuUp: { label: 'agent-side CPU per GiB, up', unit: 's/GiB', better: 'lower', digits: 2 },
  cpuDown: { label: 'agent-side CPU per GiB, down', unit: 's/GiB', better: 'lower', digits: 2 },
  gatewayCpuUp: { label: 'gateway-side CPU per GiB, up', unit: 's/GiB', better: 'lower', digits: 2 },
  gatewayCpuDown: { label: 'gateway-side CPU per GiB, down', unit: 's/GiB', better: 'lower', digits: 2 },
  idleMarginalKiB: {
    label: 'agent-side RSS per further idle stream (between the two counts)',
    unit: 'KiB',
    better: 'lower',
    digits: 2,
  },
  pgQps: { label: 'PostgreSQL small queries', unit: '/s', better: 'higher', digits: 0 },
  pgLargeMs: { label: 'PostgreSQL large result set', unit: 'ms', better: 'lower', digits: 0 },
  wanDown: { label: 'down, 1 stream', unit: 'MiB/s', better: 'higher', digits: 1 },
  wanUp: { label: 'up, 1 stream', unit: 'MiB/s', better: 'higher', digits: 1 },
};

export function metricInfo(key: MetricKey): MetricInfo {
  const fixed = FIXED[key];
  if (fixed) return fixed;
  const [kind, count] = key.split(':');
  const n = Number(count).toLocaleString('en-US');
  if (kind === 'idleKiBPerStream')
    return { label: `agent-side RSS per idle stream, ${n} streams`, unit: 'KiB', better: 'lower', digits: 2 };
  if (kind === 'idleRssMiB')
    return { label: `agent-side RSS with ${n} idle streams`, unit: 'MiB', better: 'lower', digits: 1 };
  throw new Error(`unknown metric ${key}`);
}

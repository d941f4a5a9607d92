/** `npm run bench` command line: sizes, counts and which parts to run (defaults = the method). */
import { parseArgs } from 'node:util';
import type { PathKey } from './bench-path.js';

export interface BenchOptions {
  readonly rounds: number;
  /** Single-stream bulk transfer each way. */
  readonly bulkMiB: number;
  /** Total of the concurrent-stream downloads. */
  readonly concurrentMiB: number;
  readonly concurrentStreams: readonly number[];
  readonly echoRoundTrips: number;
  /** Echo stops early after this long (the reference agent's Nagle stalls make 10,000 round trips take minutes). */
  readonly echoMaxMs: number;
  readonly setupMs: number;
  /** Idle stream counts, ascending (RSS is sampled at each). */
  readonly idleStreams: readonly number[];
  /** Wait before sampling RSS (the processes settle after opening streams). */
  readonly settleMs: number;
  readonly pgQueries: number;
  readonly pgMaxMs: number;
  readonly pgLargeRows: number;
  readonly rttMs: number;
  /** Wide-area single-stream transfer where the window can grow … */
  readonly wanMiB: number;
  /** … and where a fixed 256 KiB window caps it (5 MiB/s at 50 ms). */
  readonly wanCappedMiB: number;
  readonly paths: readonly PathKey[];
  readonly sections: readonly Section[];
  /** Which measurement groups of the paths section run (default all). */
  readonly groups: readonly MeasurementGroup[];
  /** Directory for the JSON lines and the Markdown table. */
  readonly outDir: string;
  /** Write V8 CPU profiles of our agent processes here. */
  readonly cpuProfileDir: string | undefined;
  readonly sshd: string | undefined;
  readonly sshCipher: string | undefined;
  /** Another checkout, built (its dist/): the baseline path's gateway and agent come from it. */
  readonly baselineRoot: string | undefined;
  readonly smoke: boolean;
}

export const MEASUREMENT_GROUPS = ['bulk', 'concurrent', 'echo', 'setup', 'pg'] as const;
export const SECTIONS = ['paths', 'idle', 'wan'] as const;
export type Section = (typeof SECTIONS)[number];
export type MeasurementGroup = (typeof MEASUREMENT_GROUPS)[number];

const ALL_PATHS: readonly PathKey[] = ['direct', 'tls', 'ssh', 'tunnel', 'reference'];
/** Paths run only when asked for: `baseline` needs `--baseline`. */
const KNOWN_PATHS: readonly PathKey[] = [...ALL_PATHS, 'baseline'];

export const USAGE = `npm run bench [-- options]   (node dist/bench/run.js [options])

  --rounds N          rounds; every figure is the median over rounds (default 3)
  --mib N             single-stream bulk transfer each way, MiB (default 256)
  --concurrent-mib N  total of the 8- and 64-stream downloads, MiB (default 256)
  --echo N            1-byte echo round trips (default 10000; at most --echo-max-s seconds, default 20)
  --setup-s S         stream setup loop duration (default 5)
  --idle A,B          idle stream counts (default 1000,10000)
  --pg-queries N      small PostgreSQL queries (default 5000, at most 10 s), --pg-rows N large result rows (default 200000)
  --rtt MS            wide-area round trip (default 50); --wan-mib N (default 64), --wan-capped-mib N (default 16)
  --paths a,b         of direct,tls,ssh,tunnel,reference,baseline (default all but baseline)
  --baseline DIR      another checkout, built: the baseline path is the tunnel with its gateway and agent
                      (e.g. main before a change, measured beside this tree in the same run)
  --only a,b          sections of paths,idle,wan (default all; idle = idle streams on fresh processes)
  --groups a,b        of the paths section: bulk,concurrent,echo,setup,pg (default all)
  --out DIR           results directory (default bench/results)
  --cpu-prof DIR      write V8 CPU profiles of our agent processes into DIR
  --sshd PATH         sshd binary (default /usr/sbin/sshd); --ssh-cipher NAME (default: OpenSSH's choice)
  --smoke             tiny sizes, one round (seconds; what the CI smoke test runs)
`;

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${text}`);
  return n;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: 'string' },
      mib: { type: 'string' },
      'concurrent-mib': { type: 'string' },
      echo: { type: 'string' },
      'echo-max-s': { type: 'string' },
      'setup-s': { type: 'string' },
      idle: { type: 'string' },
      'pg-queries': { type: 'string' },
      'pg-rows': { type: 'string' },
      rtt: { type: 'string' },
      'wan-mib': { type: 'string' },
      'wan-capped-mib': { type: 'string' },
      paths: { type: 'string' },
      only: { type: 'string' },
      groups: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      sshd: { type: 'string' },
      'ssh-cipher': { type: 'string' },
      baseline: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const smoke = values.smoke;
  const paths = values.paths === undefined ? ALL_PATHS : list(values.paths);
  for (const p of paths)
    if (!KNOWN_PATHS.includes(p as PathKey)) throw new Error(`unknown path ${p} (paths: ${KNOWN_PATHS.join(', ')})`);
  if (paths.includes('baseline') && values.baseline === undefined)
    throw new Error('the baseline path needs --baseline <a built checkout>');
  const sections = values.only === undefined ? [...SECTIONS] : list(values.only);
  for (const section of sections)
    if (!SECTIONS.includes(section as Section))
      throw new Error(`unknown section ${section} (sections: ${SECTIONS.join(', ')})`);
  const groups = values.groups === undefined ? [...MEASUREMENT_GROUPS] : list(values.groups);
  for (const g of groups)
    if (!MEASUREMENT_GROUPS.includes(g as MeasurementGroup))
      throw new Error(`unknown group ${g} (groups: ${MEASUREMENT_GROUPS.join(', ')})`);
  const idle = (values.idle === undefined ? (smoke ? [20, 50] : [1000, 10000]) : list(values.idle).map(Number)).sort(
    (a, b) => a - b,
  );
  if (idle.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--idle takes positive integers');
  return {
    rounds: positive('rounds', values.rounds, smoke ? 1 : 3),
    bulkMiB: positive('mib', values.mib, smoke ? 2 : 256),
    concurrentMiB: positive('concurrent-mib', values['concurrent-mib'], smoke ? 2 : 256),
    concurrentStreams: [8, 64],
    echoRoundTrips: positive('echo', values.echo, smoke ? 50 : 10_000),
    echoMaxMs: positive('echo-max-s', values['echo-max-s'], smoke ? 5 : 20) * 1000,
    setupMs: positive('setup-s', values['setup-s'], smoke ? 0.3 : 5) * 1000,
    idleStreams: idle,
    settleMs: smoke ? 100 : 1000,
    pgQueries: positive('pg-queries', values['pg-queries'], smoke ? 20 : 5000),
    pgMaxMs: smoke ? 5_000 : 10_000,
    pgLargeRows: positive('pg-rows', values['pg-rows'], smoke ? 1000 : 200_000),
    rttMs: positive('rtt', values.rtt, 50),
    wanMiB: positive('wan-mib', values['wan-mib'], smoke ? 1 : 64),
    wanCappedMiB: positive('wan-capped-mib', values['wan-capped-mib'], smoke ? 1 : 16),
    paths: paths as PathKey[],
    sections: SECTIONS.filter((section) => sections.includes(section)),
    groups: groups as MeasurementGroup[],
    outDir: values.out ?? 'bench/results',
    cpuProfileDir: values['cpu-prof'],
    sshd: values.sshd,
    sshCipher: values['ssh-cipher'],
    baselineRoot: values.baseline,
    smoke,
  };
}

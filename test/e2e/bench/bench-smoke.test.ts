/**
 * A smoke run of `npm run bench` (the built `dist/bench/run.js --smoke`: tiny sizes, one round,
 * a few tens of seconds): every path that can run here produces every metric, each a finite
 * positive number (RSS differences per stream: finite), in the JSON-lines file and the Markdown
 * table. Values are never asserted.
 *
 * The ssh -L path needs sshd (`openssh-server`); where it is missing the run must say so and how
 * to install it, and go on without it — the second test forces that case with a wrong sshd path.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/vectors.js';

const RUN = path.join(repoRoot, 'dist/bench/run.js');
const REFERENCE = path.resolve(repoRoot, '../shared/reference/cluvio-agent');
const SMOKE_IDLE = [100, 300];

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly records: Record<string, unknown>[];
}

async function bench(args: readonly string[]): Promise<Run> {
  expect(existsSync(RUN), `${RUN} is missing: run \`npm run build\` first`).toBe(true);
  const out = await mkdtemp(path.join(tmpdir(), 'cluvio-bench-smoke-'));
  dirs.push(out);
  const child = spawn(process.execPath, [RUN, '--smoke', '--out', out, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  const files = readdirSync(out).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  const records = readFileSync(path.join(out, files[0] ?? ''), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, stdout, stderr, records };
}

/** metric → value for one path and section. */
function samples(run: Run, section: string, pathKey: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const r of run.records) {
    if (r.kind === 'sample' && r.section === section && r.path === pathKey)
      found.set(String(r.metric), Number(r.value));
  }
  return found;
}

const EVERY_PATH = [
  'up',
  'down',
  'agg:8',
  'fair:8',
  'agg:64',
  'fair:64',
  'echoP50',
  'echoP99',
  'setup',
  'pgQps',
  'pgLargeMs',
];
const AGENT_SIDE = ['cpuUp', 'cpuDown', 'gatewayCpuUp', 'gatewayCpuDown', ...SMOKE_IDLE.map((n) => `idleRssMiB:${n}`)];
/**
 * RSS differences per stream: produced and finite, but at smoke sizes (hundreds of streams, a
 * few MiB) a garbage collection between two samples can outweigh them, so their sign is noise.
 */
const AGENT_SIDE_DELTAS = [...SMOKE_IDLE.map((n) => `idleKiBPerStream:${n}`), 'idleMarginalKiB'];

describe('npm run bench -- --smoke', () => {
  it('produces every metric of every path, and the wide-area section, as finite positive numbers', async () => {
    const run = await bench(['--idle', SMOKE_IDLE.join(',')]);
    expect(run.code, run.stderr).toBe(0);
    const sshSkipped = run.stderr.includes('ssh -L path skipped');
    // Said once, with the install command, though the paths start again for the idle section.
    if (sshSkipped) expect(run.stderr.split('ssh -L path skipped').length - 1).toBe(1);
    const paths = [
      'direct',
      'tls',
      'tunnel',
      ...(sshSkipped ? [] : ['ssh']),
      ...(existsSync(REFERENCE) ? ['reference'] : []),
    ];
    for (const pathKey of paths) {
      const found = samples(run, 'paths', pathKey);
      const expected = pathKey === 'direct' ? EVERY_PATH : [...EVERY_PATH, ...AGENT_SIDE];
      for (const metric of expected) {
        const value = found.get(metric);
        expect(value, `${pathKey} ${metric}`).toBeDefined();
        expect(Number.isFinite(value) && (value ?? 0) > 0, `${pathKey} ${metric} = ${String(value)}`).toBe(true);
      }
      if (pathKey !== 'direct') {
        for (const metric of AGENT_SIDE_DELTAS)
          expect(Number.isFinite(found.get(metric)), `${pathKey} ${metric} = ${String(found.get(metric))}`).toBe(true);
      }
    }
    const wanRows = [
      'wan-line',
      'wan-ours',
      'wan-ours-fixed',
      'wan-fixed-gateway',
      ...(existsSync(REFERENCE) ? ['wan-reference'] : []),
    ];
    for (const row of wanRows) {
      const found = samples(run, 'wan', row);
      for (const metric of ['wanDown', 'wanUp']) {
        const value = found.get(metric);
        expect(Number.isFinite(value) && (value ?? 0) > 0, `${row} ${metric} = ${String(value)}`).toBe(true);
      }
    }
    expect(run.records.filter((r) => r.kind === 'target').length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/\| metric \| direct TCP \| TLS 1\.3 pipe \|/);
    expect(run.stdout).toMatch(/\| target \(ratios: median of per-round ratios\) \| measured \| met \|/);
  }, 300_000);

  it('without sshd, says so and how to install it, and runs the other paths', async () => {
    const run = await bench([
      '--only',
      'paths',
      '--paths',
      'direct,ssh',
      '--groups',
      'echo',
      '--sshd',
      '/nonexistent/sbin/sshd',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('ssh -L path skipped: sshd not found at /nonexistent/sbin/sshd');
    expect(run.stderr).toContain('apt-get install -y openssh-server');
    expect(run.stdout).toContain('ssh -L path skipped');
    expect(samples(run, 'paths', 'direct').get('echoP50')).toBeGreaterThan(0);
    expect(samples(run, 'paths', 'ssh').size).toBe(0);
  }, 120_000);
});

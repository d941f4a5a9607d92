/**
 * Soak test (`npm run soak -- --minutes 10`): our agent as a real process behind a real gateway,
 * 64 streams of mixed traffic at all times for the whole run — request/response echo sessions,
 * some long-lived and mostly idle, downloads and uploads of 256 KiB–4 MiB, short connections
 * opened and closed at once, refused targets and Test messages — every byte checked.
 *
 * Every `--sample` seconds it records the agent's resident memory and open file descriptors (and
 * the driver's, which holds the gateway and the targets). After a warm-up (20 % of the run, at
 * least a minute) the median of the first three samples is the baseline; the median of the last
 * three must not exceed it by more than `--max-growth` percent. It also fails on any lost or
 * corrupted byte, any unexpected stream failure, the agent exiting, or the agent holding more
 * descriptors once idle at the end than when idle at the start.
 *
 *   node dist/bench/soak/run.js [--minutes 10] [--streams 64] [--sample 10] [--warmup <s>]
 *                               [--max-growth 5] [--agent ours|reference]
 *
 * Linux reads /proc for the agent's memory and descriptors; elsewhere memory comes from `ps` and
 * descriptors are not sampled.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import { AgentRegistry } from '../../src/gateway/agent-registry.js';
import { generateCertificateAuthority, issueServerCertificate } from '../../src/gateway/certificates.js';
import { StreamOpenError } from '../../src/gateway/errors.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import { referenceAgentPath, repoRoot } from '../fuzz/repo-root.js';
import { PatternCheck, pattern, readToEnd, startTargetServer, writePattern } from './traffic.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    streams: { type: 'string', default: '64' },
    sample: { type: 'string', default: '10' },
    warmup: { type: 'string' },
    'max-growth': { type: 'string', default: '5' },
    agent: { type: 'string', default: 'ours' },
  },
});

const DURATION_MS = Number(args.minutes) * 60_000;
const STREAMS = Number(args.streams);
const SAMPLE_MS = Number(args.sample) * 1000;
const WARMUP_MS = args.warmup === undefined ? Math.max(60_000, DURATION_MS * 0.2) : Number(args.warmup) * 1000;
const MAX_GROWTH = Number(args['max-growth']) / 100;
if (
  ![DURATION_MS, STREAMS, SAMPLE_MS, WARMUP_MS, MAX_GROWTH].every((n) => Number.isFinite(n) && n > 0) ||
  !['ours', 'reference'].includes(args.agent)
) {
  process.stderr.write(
    'soak: --minutes, --streams, --sample, --warmup and --max-growth must be positive numbers; --agent ours|reference\n',
  );
  process.exit(2);
}
if (DURATION_MS - WARMUP_MS < 3 * SAMPLE_MS) {
  process.stderr.write(
    `soak: a ${args.minutes}-minute run leaves fewer than three ${args.sample}-s samples after the warm-up; run longer or pass --warmup\n`,
  );
  process.exit(2);
}

const MIB = 1024 * 1024;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

// ---- the agent process --------------------------------------------------------------------------

interface ProcessSample {
  readonly rss: number;
  readonly fds: number | null;
}

function sampleProcess(pid: number): ProcessSample {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) {
    const rssKib = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(status, 'utf8'))?.[1] ?? 0);
    return { rss: rssKib * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  }
  const rssKib = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  return { rss: rssKib * 1024, fds: null };
}

// ---- workers ------------------------------------------------------------------------------------

interface Totals {
  operations: number;
  streams: number;
  bytes: number;
  refusals: number;
  tests: number;
  failures: string[];
}

const totals: Totals = { operations: 0, streams: 0, bytes: 0, refusals: 0, tests: 0, failures: [] };

function fail(what: string): void {
  if (totals.failures.length < 50) totals.failures.push(what);
}

/** Reads exactly `length` bytes from a flowing stream. */
class Reader {
  #buffer = Buffer.alloc(0);
  #wake: (() => void) | null = null;
  #ended = false;

  constructor(stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    const end = (): void => {
      this.#ended = true;
      this.#wake?.();
    };
    stream.on('end', end);
    stream.on('close', end);
  }

  async take(length: number): Promise<Buffer> {
    while (this.#buffer.length < length) {
      if (this.#ended) throw new Error(`the stream ended after ${this.#buffer.length} of ${length} bytes`);
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
    const out = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return out;
  }
}

const random = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Kind = 'echo' | 'long-echo' | 'download' | 'upload' | 'churn' | 'refused' | 'test';
const KINDS: readonly [Kind, number][] = [
  ['echo', 25],
  ['long-echo', 10],
  ['download', 20],
  ['upload', 20],
  ['churn', 15],
  ['refused', 5],
  ['test', 5],
];

function pickKind(): Kind {
  let roll = Math.random() * KINDS.reduce((sum, [, w]) => sum + w, 0);
  for (const [kind, weight] of KINDS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'echo';
}

async function operation(gateway: Gateway, agentId: string, targetPort: number, kind: Kind): Promise<void> {
  const target = `127.0.0.1:${targetPort}`;
  if (kind === 'test') {
    const result = await gateway.test(agentId, target);
    if (!result.ok) fail(`Test of ${target}: ${result.code}`);
    totals.tests += 1;
    return;
  }
  if (kind === 'refused') {
    const outcome = await gateway.openStream(agentId, '10.255.255.1:9').then(
      (stream) => {
        stream.destroy();
        return 'opened';
      },
      (error: unknown) =>
        error instanceof StreamOpenError && error.outcome === 'refused' && error.errorCode === 'AddressNotAllowed'
          ? 'refused'
          : String(error),
    );
    if (outcome !== 'refused') fail(`a disallowed target: ${outcome}`);
    totals.refusals += 1;
    return;
  }
  const stream = await gateway.openStream(agentId, target, { halfClose: true });
  totals.streams += 1;
  stream.on('error', (error: Error) => {
    fail(`${kind} stream: ${error.message}`);
  });
  const seed = random(0, 1 << 30);
  switch (kind) {
    case 'echo':
    case 'long-echo':
    case 'churn': {
      const reader = new Reader(stream);
      stream.write('ECHO\n');
      const rounds = kind === 'churn' ? 1 : random(5, 40);
      let offset = 0;
      for (let round = 0; round < rounds; round += 1) {
        const size = kind === 'churn' ? 100 : random(64, 8 * 1024);
        stream.write(pattern(seed, offset, size));
        const back = await reader.take(size);
        if (!back.equals(pattern(seed, offset, size))) fail(`${kind}: echoed bytes differ`);
        offset += size;
        totals.bytes += 2 * size;
        if (kind === 'long-echo') await pause(random(200, 2_000)); // mostly idle, long-lived
      }
      stream.end();
      await once(stream, 'close');
      break;
    }
    case 'download': {
      const size = random(256 * 1024, 4 * MIB);
      const check = new PatternCheck(seed);
      stream.end(`GET ${size} ${seed}\n`);
      await readToEnd(stream, (chunk) => {
        check.add(chunk);
      });
      if (check.corrupt || check.received !== size)
        fail(`download: ${check.received} of ${size} bytes${check.corrupt ? ', corrupted' : ''}`);
      totals.bytes += check.received;
      break;
    }
    case 'upload': {
      const size = random(256 * 1024, 4 * MIB);
      let answer = '';
      stream.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      const ended = once(stream, 'end');
      stream.write(`PUT ${size} ${seed}\n`);
      await writePattern(stream, seed, size);
      stream.end();
      await ended;
      if (answer !== `OK ${size}\n`) fail(`upload of ${size} bytes: the target answered ${JSON.stringify(answer)}`);
      totals.bytes += size;
      break;
    }
  }
  totals.operations += 1;
}

async function worker(gateway: Gateway, agentId: string, targetPort: number, until: number): Promise<void> {
  while (Date.now() < until) {
    const kind = pickKind();
    try {
      await operation(gateway, agentId, targetPort, kind);
      if (kind === 'test' || kind === 'refused') totals.operations += 1;
    } catch (error) {
      fail(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
      await pause(100);
    }
  }
}

// ---- the run ------------------------------------------------------------------------------------

interface Sample {
  readonly at: number;
  readonly agent: ProcessSample;
  readonly driverRss: number;
  readonly gatewayStreams: number;
  readonly operations: number;
  readonly bytes: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const mib = (bytes: number): string => (bytes / MIB).toFixed(1);

async function main(): Promise<number> {
  const ca = await generateCertificateAuthority('soak CA');
  const leaf = await issueServerCertificate(ca, ['localhost']);
  const registry = new AgentRegistry();
  const keys = generateKeyPair();
  registry.set({ id: keys.agentId, name: 'soak', status: 'enabled' });
  const gateway = await Gateway.start({ tls: leaf, agents: registry, pingIntervalMs: 5_000 });
  const target = await startTargetServer();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cluvio-soak-'));
  const configPath = path.join(dir, 'cluvio-agent.toml');
  await writeFile(
    configPath,
    [
      `secret-key = "${keys.secretKey.exportBase64url()}"`,
      'allowed-addresses = ["127.0.0.0/8"]',
      '[server]',
      'host = "localhost"',
      `port = ${gateway.port}`,
      `trust = '''\n${ca.certPem.trim()}\n'''`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const command =
    args.agent === 'reference'
      ? [referenceAgentPath]
      : [process.execPath, path.join(repoRoot, 'dist/src/cli/agent.js')];
  const [executable, ...leading] = command;
  if (executable === undefined) throw new Error('no agent command');
  const agent: ChildProcess = spawn(executable, [...leading, '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let agentLines = 0;
  agent.stdout?.on('data', (chunk: Buffer) => (agentLines += chunk.toString('latin1').split('\n').length - 1));
  let agentErr = '';
  agent.stderr?.on('data', (chunk: Buffer) => (agentErr += chunk.toString()));
  const exit: { text: string | null } = { text: null };
  agent.once('exit', (code, signal) => (exit.text = `exit ${String(code)} ${String(signal)}`));
  const pid = agent.pid ?? 0;

  try {
    await gateway.waitForAgent(keys.agentId, { timeoutMs: 30_000 });
    await pause(1_000);
    const idleBefore = sampleProcess(pid);
    log(
      `Soak: ${args.agent === 'reference' ? 'reference agent 1.3.0' : 'our agent'} (pid ${pid}), ${STREAMS} streams, ${args.minutes} min, samples every ${args.sample} s, warm-up ${(WARMUP_MS / 1000).toFixed(0)} s, Node ${process.version}, ${os.cpus().length} CPUs`,
    );
    log(`idle before: agent rss ${mib(idleBefore.rss)} MiB, ${idleBefore.fds ?? '?'} fds`);
    log('    t(s)  agent rss MiB  agent fds  driver rss MiB  open streams  operations  MiB moved');

    const started = Date.now();
    const deadline = started + DURATION_MS;
    const samples: Sample[] = [];
    // Sampling covers the loaded period only: after the deadline the workers finish what they started.
    const sampler = setInterval(() => {
      if (Date.now() > deadline + SAMPLE_MS / 2) {
        clearInterval(sampler);
        return;
      }
      const sample: Sample = {
        at: Date.now() - started,
        agent: sampleProcess(pid),
        driverRss: process.memoryUsage.rss(),
        gatewayStreams: gateway.streams().length,
        operations: totals.operations,
        bytes: totals.bytes,
      };
      samples.push(sample);
      log(
        `  ${(sample.at / 1000).toFixed(0).padStart(6)}  ${mib(sample.agent.rss).padStart(13)}  ${String(sample.agent.fds ?? '?').padStart(9)}  ${mib(sample.driverRss).padStart(14)}  ${String(sample.gatewayStreams).padStart(12)}  ${String(sample.operations).padStart(10)}  ${mib(sample.bytes).padStart(9)}${sample.at < WARMUP_MS ? '  (warm-up)' : ''}`,
      );
    }, SAMPLE_MS);
    await Promise.all(Array.from({ length: STREAMS }, () => worker(gateway, keys.agentId, target.port, deadline)));
    clearInterval(sampler);

    // Idle again: every stream closed on both sides, the agent's descriptors back where they were.
    const settleUntil = Date.now() + 30_000;
    while ((gateway.streams().length > 0 || target.open() > 0) && Date.now() < settleUntil) await pause(200);
    await pause(2_000);
    const idleAfter = sampleProcess(pid);

    const measured = samples.filter((s) => s.at >= WARMUP_MS);
    const baseline = median(measured.slice(0, 3).map((s) => s.agent.rss));
    const final = median(measured.slice(-3).map((s) => s.agent.rss));
    const peak = Math.max(...measured.map((s) => s.agent.rss));
    const growth = final / baseline - 1;
    const elapsed = (Date.now() - started) / 1000;
    log('');
    log(
      `operations: ${totals.operations} (${totals.streams} streams, ${totals.refusals} refusals, ${totals.tests} Tests), ${mib(totals.bytes)} MiB checked, ${(totals.bytes / MIB / elapsed).toFixed(1)} MiB/s`,
    );
    log(
      `agent rss after warm-up: baseline ${mib(baseline)} MiB (median of the first 3 samples), final ${mib(final)} MiB (median of the last 3), peak ${mib(peak)} MiB; growth ${(growth * 100).toFixed(2)} % (limit ${(MAX_GROWTH * 100).toFixed(0)} %)`,
    );
    log(
      `idle after: agent rss ${mib(idleAfter.rss)} MiB, ${idleAfter.fds ?? '?'} fds (before: ${idleBefore.fds ?? '?'}); agent log lines: ${agentLines}`,
    );
    const problems: string[] = [...totals.failures];
    if (growth > MAX_GROWTH) problems.push(`agent rss grew ${(growth * 100).toFixed(2)} % after the warm-up`);
    if (idleBefore.fds !== null && idleAfter.fds !== null && idleAfter.fds > idleBefore.fds)
      problems.push(`the idle agent holds ${idleAfter.fds} descriptors, ${idleBefore.fds} before the run`);
    if (exit.text !== null) problems.push(`the agent exited (${exit.text}): ${agentErr}`);
    log(problems.length === 0 ? 'PASS' : `FAIL\n  ${problems.join('\n  ')}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    agent.kill('SIGTERM');
    if (exit.text === null) await once(agent, 'exit');
    await gateway.close();
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();

/**
 * `npm run bench`: the tunnel beside what users would run instead, every metric measured side
 * by side in one run and reported as medians and same-run ratios (bench/README.md explains the
 * method and the latest results).
 *
 * Paths: direct loopback TCP, a bare Node TLS 1.3 pipe, `ssh -N -L` through a private sshd, the
 * tunnel with our agent, the tunnel with the Rust reference agent (same gateway); then the
 * wide-area section through a delay line. Every process under test is a process of its own;
 * the load generator is a worker thread of this process. Output: a Markdown table on stdout
 * and in `<out>/e2e-<time>.md`, every sample as JSON lines in `<out>/e2e-<time>.jsonl`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchPath, PathKey } from './e2e/bench-path.js';
import { PATH_LABELS } from './e2e/bench-path.js';
import { forkNode, killAllChildren } from './e2e/children.js';
import { Load } from './e2e/load.js';
import { type BenchOptions, USAGE, parseBenchOptions } from './e2e/options.js';
import { runIdleRound, runPathSuite, type SuiteContext } from './e2e/path-suite.js';
import type { PostgresReady } from './e2e/postgres-process.js';
import { markdownReport } from './e2e/report.js';
import { Results } from './e2e/results.js';
import { startSshPath } from './e2e/ssh-path.js';
import { checkTargets } from './e2e/targets.js';
import { startTlsPath } from './e2e/tls-path.js';
import {
  type AgentIdentity,
  type GatewayRig,
  REFERENCE_AGENT_PATH,
  newAgentIdentity,
  referenceAgentAvailable,
  startAgent,
  startGatewayRig,
} from './e2e/tunnel-rig.js';
import { runWanSuite } from './e2e/wan-suite.js';

/** yamux 0.10 (the reference agent) refuses a stream beyond 8192 (control stream included). */
const REFERENCE_MAX_STREAMS = 8000;
/** The bench gateway opens more streams than the mux default allows, for the 10,000 idle streams. */
const GATEWAY_MAX_STREAMS = 16_384;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function startTunnelPaths(
  options: BenchOptions,
  targetPort: number,
  postgresPort: number,
  notes: string[],
): Promise<BenchPath[]> {
  const baseline = options.paths.includes('baseline') ? await startBaselinePath(options, targetPort, postgresPort) : [];
  const wanted = options.paths.filter((p): p is 'tunnel' | 'reference' => p === 'tunnel' || p === 'reference');
  if (wanted.length === 0) return baseline;
  const identities = new Map<'tunnel' | 'reference', AgentIdentity>(wanted.map((key) => [key, newAgentIdentity(key)]));
  const gateway: GatewayRig = await startGatewayRig([...identities.values()], { maxStreams: GATEWAY_MAX_STREAMS });
  const paths: BenchPath[] = [];
  for (const key of wanted) {
    if (key === 'reference' && !referenceAgentAvailable()) {
      notes.push(`tunnel (reference agent) skipped: ${REFERENCE_AGENT_PATH} not found`);
      log(`! ${notes.at(-1) ?? ''}`);
      continue;
    }
    const identity = identities.get(key);
    if (identity === undefined) continue;
    const agent = await startAgent(key === 'tunnel' ? { kind: 'ours' } : { kind: 'reference' }, {
      identity,
      port: gateway.port,
      caPem: gateway.caPem,
      ...(options.cpuProfileDir === undefined || key !== 'tunnel' ? {} : { cpuProfileDir: options.cpuProfileDir }),
    });
    const route = await gateway.route(identity.id, `127.0.0.1:${targetPort}`);
    const pgRoute = await gateway.route(identity.id, `127.0.0.1:${postgresPort}`);
    paths.push({
      key,
      label: PATH_LABELS[key],
      targetPort: route,
      postgresPort: pgRoute,
      agentSide: { pid: agent.pid, tree: false },
      gatewaySide: { pid: gateway.pid, tree: false },
      maxStreams: key === 'reference' ? REFERENCE_MAX_STREAMS : Number.POSITIVE_INFINITY,
      notes: [],
      stop: () => agent.stop(),
    });
  }
  // The gateway goes last: the agents' stop() is what the last path's stop awaits first.
  const last = paths.at(-1);
  if (last === undefined) await gateway.stop();
  else
    paths[paths.length - 1] = {
      ...last,
      stop: async () => {
        await last.stop();
        await gateway.stop();
      },
    };
  return [...paths, ...baseline];
}

/** The tunnel as another checkout builds it: its gateway process and its agent CLI. */
async function startBaselinePath(
  options: BenchOptions,
  targetPort: number,
  postgresPort: number,
): Promise<BenchPath[]> {
  const root = options.baselineRoot;
  if (root === undefined) return [];
  const identity = newAgentIdentity('baseline');
  const gateway = await startGatewayRig([identity], { maxStreams: GATEWAY_MAX_STREAMS }, [], root);
  const agent = await startAgent({ kind: 'baseline', root }, { identity, port: gateway.port, caPem: gateway.caPem });
  const route = await gateway.route(identity.id, `127.0.0.1:${targetPort}`);
  const pgRoute = await gateway.route(identity.id, `127.0.0.1:${postgresPort}`);
  return [
    {
      key: 'baseline',
      label: PATH_LABELS.baseline,
      targetPort: route,
      postgresPort: pgRoute,
      agentSide: { pid: agent.pid, tree: false },
      gatewaySide: { pid: gateway.pid, tree: false },
      maxStreams: Number.POSITIVE_INFINITY,
      notes: [`baseline: ${root}`],
      stop: async () => {
        await agent.stop();
        await gateway.stop();
      },
    },
  ];
}

async function startPaths(
  options: BenchOptions,
  targetPort: number,
  postgresPort: number,
  notes: string[],
): Promise<BenchPath[]> {
  const paths: BenchPath[] = [];
  if (options.paths.includes('direct')) {
    paths.push({
      key: 'direct',
      label: PATH_LABELS.direct,
      targetPort,
      postgresPort,
      agentSide: undefined,
      gatewaySide: undefined,
      maxStreams: Number.POSITIVE_INFINITY,
      notes: [],
      stop: () => Promise.resolve(),
    });
  }
  if (options.paths.includes('tls')) paths.push(await startTlsPath(targetPort, postgresPort));
  if (options.paths.includes('ssh')) {
    const ssh = await startSshPath(targetPort, postgresPort, {
      ...(options.sshd === undefined ? {} : { sshd: options.sshd }),
      ...(options.sshCipher === undefined ? {} : { cipher: options.sshCipher }),
    });
    if ('skipped' in ssh) {
      // Paths start again for every idle round: say it (and how to install sshd) once per run.
      if (!notes.includes(ssh.skipped)) {
        notes.push(ssh.skipped);
        log(`! ${ssh.skipped}`);
      }
    } else paths.push(ssh.path);
  }
  paths.push(...(await startTunnelPaths(options, targetPort, postgresPort, notes)));
  for (const p of paths) notes.push(...p.notes);
  return paths;
}

function environment(options: BenchOptions, stamp: string): string {
  const cpus = os.cpus();
  return `Run ${stamp}: Node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? '?'}), ${os.platform()} ${os.release()}${options.smoke ? ', SMOKE RUN (tiny sizes: figures meaningless)' : ''}.`;
}

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  mkdirSync(options.outDir, { recursive: true });
  if (options.cpuProfileDir !== undefined) mkdirSync(options.cpuProfileDir, { recursive: true });
  const base = path.join(options.outDir, `e2e-${stamp.replace(/:/g, '')}`);
  const results = new Results(`${base}.jsonl`);
  const env = environment(options, stamp);
  results.write({
    kind: 'run',
    time: stamp,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim(),
    options,
  });
  log(env);

  const target = await forkNode<{ port: number }>(new URL('./e2e/target-process.js', import.meta.url));
  const postgres = await forkNode<PostgresReady>(new URL('./e2e/postgres-process.js', import.meta.url));
  const load = new Load();
  const notes: string[] = [];
  const context: SuiteContext = { options, load, results, log, note: (line) => notes.push(line) };
  const started = new Set<PathKey>();
  const withPaths = async (run: (paths: BenchPath[]) => Promise<void>): Promise<void> => {
    const paths = await startPaths(options, target.ready.port, postgres.ready.port, notes);
    for (const p of paths) started.add(p.key);
    try {
      await run(paths);
    } finally {
      for (const p of paths) await p.stop();
    }
  };
  try {
    if (options.sections.includes('paths')) {
      await withPaths(async (paths) => {
        log(`paths: ${paths.map((p) => p.label).join(', ')}`);
        await runPathSuite(context, paths);
      });
    }
    if (options.sections.includes('idle')) {
      for (let round = 1; round <= options.rounds; round += 1) {
        log(`idle streams, round ${round}/${options.rounds} (fresh processes): ${options.idleStreams.join(', ')}`);
        await withPaths((paths) =>
          runIdleRound(
            context,
            paths.filter((p) => p.agentSide !== undefined),
            round,
          ),
        );
      }
    }
    if (options.sections.includes('wan')) await runWanSuite(context, target.ready.port);
  } finally {
    await load.close();
    await target.stop();
    await postgres.stop();
  }

  for (const key of options.paths) {
    const counts = results.values('paths', key, 'echoCount');
    if (counts.some((n) => n < options.echoRoundTrips))
      notes.push(
        `${PATH_LABELS[key]}: echo stopped after ${options.echoMaxMs / 1000} s at ${Math.min(...counts).toLocaleString('en-US')} round trips`,
      );
  }
  if (options.paths.includes('reference') && options.idleStreams.some((n) => n > REFERENCE_MAX_STREAMS)) {
    notes.push(
      `tunnel (reference agent): idle streams stop at ${REFERENCE_MAX_STREAMS.toLocaleString('en-US')} (in brackets): yamux 0.10 ends the connection beyond 8,192 streams`,
    );
  }
  const targets = checkTargets(results, options.idleStreams, options.rttMs);
  for (const t of targets) results.write({ kind: 'target', ...t });
  const report = markdownReport({
    options,
    results,
    paths: options.paths.filter((k: PathKey) => started.has(k)),
    targets,
    notes: [...new Set(notes)],
    environment: env,
  });
  writeFileSync(`${base}.md`, report);
  process.stdout.write(report);
  log(`results: ${base}.jsonl, ${base}.md`);
  return 0;
}

process.once('SIGINT', () => {
  killAllChildren();
  process.exit(130);
});
process.on('exit', killAllChildren);
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killAllChildren();
    process.exitCode = 1;
  },
);

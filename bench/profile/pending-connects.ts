/**
 * What a pending `Server::Test` costs the agent, next to a pending data-stream connect (issue 13):
 * a probe gateway sends Tests, then opens data streams, all to a port where the TCP connect never
 * completes (a listener whose thread is blocked, its backlog full), and the agent's memory is
 * read while they are pending (connect-timeout 120 s).
 *
 *   node dist/bench/profile/pending-connects.js [--tests 64] [--streams 1000] [--reference-tests 1000]
 *
 * Ours: our engine in a child process of its own (`--expose-gc`), heap after a full collection
 * and RSS, per pending Test (at most 64 are pending: the cap) and per pending data-stream connect.
 * The reference: RSS from /proc per pending Test and per pending data-stream connect.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Agent } from '../../src/tunnel/agent/agent.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import { readConfigFile } from '../../src/tunnel/config/load-config.js';
import { spawnProgram } from '../e2e/children.js';
import { startProbeGateway, type ProbeGateway } from '../fuzz/names/probe-gateway.js';
import { type RawTarget } from '../fuzz/names/raw-target.js';
import { referenceAgentPath } from '../fuzz/repo-root.js';

const SELF = fileURLToPath(import.meta.url);
const KIB = 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Usage {
  readonly heap: number;
  readonly rss: number;
}

/** Child role: our engine, measured on request after a full collection. */
async function agentChild(configPath: string): Promise<void> {
  const config = await readConfigFile(configPath, process.env);
  const agent = new Agent({ config });
  agent.start();
  process.on('message', (message) => {
    if (message === 'stop') {
      void agent.stop().then(() => process.exit(0));
      return;
    }
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const usage = process.memoryUsage();
    process.send?.({ heap: usage.heapUsed, rss: usage.rss } satisfies Usage);
  });
}

const BLOCKED_LISTENER = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData), 0, 0);
  server.close();
});
`;

/** A port where connects stay pending; `release()` lets the listener go. */
async function tarpit(): Promise<{ port: number; release: () => Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(BLOCKED_LISTENER, { eval: true, workerData: flag.buffer });
  const [port] = (await once(worker, 'message')) as [number];
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 16; i += 1) {
    const filler = net.connect(port, '127.0.0.1');
    filler.on('error', () => undefined);
    fillers.push(filler);
    const connected = await Promise.race([once(filler, 'connect').then(() => true), sleep(300).then(() => false)]);
    if (!connected) break;
  }
  return {
    port,
    release: async () => {
      for (const filler of fillers) filler.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await once(worker, 'exit');
    },
  };
}

async function configFile(gateway: ProbeGateway, dir: string): Promise<string> {
  const file = path.join(dir, 'cluvio-agent.toml');
  await writeFile(
    file,
    [
      `secret-key = ${JSON.stringify(generateKeyPair().secretKey.exportBase64url())}`,
      'allowed-addresses = ["127.0.0.0/8"]',
      'connect-timeout = "120s"',
      '',
      '[server]',
      'host = "localhost"',
      `port = ${gateway.port}`,
      `trust = '''\n${gateway.caPem.trim()}\n'''`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * KIB;
}

interface Phase {
  readonly pendingTests: (count: number) => Promise<void>;
  readonly pendingStreams: (count: number) => Promise<void>;
}

function phases(gateway: ProbeGateway, target: RawTarget): Phase {
  const never: Promise<unknown>[] = [];
  return {
    async pendingTests(count) {
      for (let i = 0; i < count; i += 1) never.push(gateway.test(target, 300_000));
      await sleep(2_000);
    },
    async pendingStreams(count) {
      for (let i = 0; i < count; i += 1) never.push(gateway.connect(target, { timeoutMs: 300_000 }));
      await sleep(2_000);
    },
  };
}

async function measureOurs(tests: number, streams: number, port: number): Promise<string[]> {
  const gateway = await startProbeGateway();
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-pending-'));
  const child = fork(SELF, ['--agent-child', await configFile(gateway, dir)], { execArgv: ['--expose-gc'] });
  const measure = async (): Promise<Usage> => {
    const reply = once(child, 'message') as Promise<[Usage]>;
    child.send('measure');
    return (await reply)[0];
  };
  try {
    await gateway.accepted(30_000);
    await sleep(2_000);
    const target: RawTarget = { kind: 'addr', ip: Uint8Array.from([127, 0, 0, 1]), port };
    // Warm-up: both paths once to a closed port (code compiled, lazy structures in place).
    const closed: RawTarget = { ...target, port: await closedPort() };
    await Promise.all(Array.from({ length: tests }, () => gateway.test(closed)));
    await Promise.all(Array.from({ length: tests }, () => gateway.connect(closed)));
    await sleep(1_000);
    const phase = phases(gateway, target);
    const base = await measure();
    await phase.pendingTests(tests);
    const withTests = await measure();
    await phase.pendingStreams(streams);
    const withStreams = await measure();
    const per = (a: Usage, b: Usage, n: number, key: keyof Usage): string =>
      `${((b[key] - a[key]) / n / KIB).toFixed(2)} KiB`;
    return [
      `ours (engine, Node ${process.version}): pending Test: heap ${per(base, withTests, tests, 'heap')}, RSS ${per(base, withTests, tests, 'rss')} (${tests} pending)`,
      `ours (engine, Node ${process.version}): pending data-stream connect: heap ${per(withTests, withStreams, streams, 'heap')}, RSS ${per(withTests, withStreams, streams, 'rss')} (${streams} pending)`,
    ];
  } finally {
    child.send('stop');
    await once(child, 'exit');
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureReference(tests: number, streams: number, port: number): Promise<string[]> {
  const gateway = await startProbeGateway();
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-pending-'));
  const program = spawnProgram(referenceAgentPath, ['-c', await configFile(gateway, dir), '-l', 'off'], { cwd: dir });
  try {
    await gateway.accepted(30_000);
    await sleep(2_000);
    const target: RawTarget = { kind: 'addr', ip: Uint8Array.from([127, 0, 0, 1]), port };
    const phase = phases(gateway, target);
    const base = await rssOf(program.pid);
    await phase.pendingTests(tests);
    const withTests = await rssOf(program.pid);
    await phase.pendingStreams(streams);
    const withStreams = await rssOf(program.pid);
    return [
      `reference 1.3.0: pending Test: RSS ${((withTests - base) / tests / KIB).toFixed(2)} KiB (${tests} pending)`,
      `reference 1.3.0: pending data-stream connect: RSS ${((withStreams - withTests) / streams / KIB).toFixed(2)} KiB (${streams} pending)`,
    ];
  } finally {
    await program.stop();
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--agent-child') {
  await agentChild(process.argv[3] ?? '');
} else {
  const { values } = parseArgs({
    options: {
      tests: { type: 'string', default: '64' },
      streams: { type: 'string', default: '1000' },
      'reference-tests': { type: 'string', default: '1000' },
    },
  });
  const pit = await tarpit();
  try {
    const lines = [
      ...(await measureOurs(Number(values.tests), Number(values.streams), pit.port)),
      ...(await measureReference(Number(values['reference-tests']), Number(values.streams), pit.port)),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await pit.release();
  }
  process.exit(0);
}

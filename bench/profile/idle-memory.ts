/**
 * Where an idle stream's memory goes in our agent, and what one idle Node socket costs on its own
 * (the floor for any Node agent, which holds one target socket per stream):
 *
 *   node dist/bench/profile/idle-memory.js [--from 1000] [--to 6000]
 *
 * 1. Floor: a plain Node process opens plain TCP connections to a server in another process
 *    (keepalive, no Nagle, a 'data' listener, as the agent's target sockets) and reports RSS and
 *    JS heap per socket between the two counts, after a full collection.
 * 2. Agent: our agent (the CLI, its own process) behind our gateway holds `from`, then `to` idle
 *    streams: RSS from /proc in one run, heap snapshots (`--heapsnapshot-signal`) in a second;
 *    the snapshots' difference is printed per stream, grouped by constructor.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllChildren } from '../e2e/children.js';
import { closeIdle, openIdle } from '../e2e/measurements.js';
import { startRoutedTunnel } from '../e2e/tunnel-rig.js';

const SELF = fileURLToPath(import.meta.url);

interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: { readonly node_fields: readonly string[]; readonly node_types: readonly [readonly string[]] };
  };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

interface Group {
  count: number;
  bytes: number;
}

/** Self size by constructor (objects, closures, native) or by node type (strings, arrays, code …). */
function groupHeap(snapshot: HeapSnapshot): Map<string, Group> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const groups = new Map<string, Group>();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + (typeAt ?? 0)] ?? 0] ?? '?';
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type} ${snapshot.strings[snapshot.nodes[i + (nameAt ?? 0)] ?? 0] ?? ''}` : type;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += snapshot.nodes[i + (sizeAt ?? 0)] ?? 0;
    groups.set(key, group);
  }
  return groups;
}

function rssKiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((status) => Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Child role: hold `count` plain sockets in batches and report memory. */
async function floorChild(port: number, from: number, to: number): Promise<void> {
  const sockets: net.Socket[] = [];
  const open = async (n: number): Promise<void> => {
    while (sockets.length < n) {
      const batch = Math.min(200, n - sockets.length);
      await Promise.all(
        Array.from({ length: batch }, async () => {
          const socket = net.connect({
            port,
            host: '127.0.0.1',
            allowHalfOpen: true,
            noDelay: true,
            keepAlive: true,
            keepAliveInitialDelay: 30_000,
          });
          await once(socket, 'connect');
          socket.on('data', () => undefined);
          socket.on('error', () => undefined);
          sockets.push(socket);
        }),
      );
    }
  };
  const measure = async (): Promise<{ rss: number; heap: number }> => {
    globalThis.gc?.();
    await sleep(500);
    const usage = process.memoryUsage();
    return { rss: usage.rss / 1024, heap: usage.heapUsed / 1024 };
  };
  await open(from);
  const a = await measure();
  await open(to);
  const b = await measure();
  const n = to - from;
  process.send?.({ rss: (b.rss - a.rss) / n, heap: (b.heap - a.heap) / n });
  for (const socket of sockets) socket.destroy();
}

async function measureFloor(from: number, to: number): Promise<{ rss: number; heap: number }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const child = fork(SELF, ['--floor-child', String(port), String(from), String(to)], { execArgv: ['--expose-gc'] });
  const [result] = (await once(child, 'message')) as [{ rss: number; heap: number }];
  child.kill();
  server.close();
  return result;
}

/** The next snapshot file the agent writes, once its size has stopped changing for 1.5 s. */
async function newestSnapshot(dir: string, known: Set<string>): Promise<string> {
  for (let i = 0; i < 600; i += 1) {
    const fresh = (await readdir(dir)).find((f) => f.endsWith('.heapsnapshot') && !known.has(f));
    if (fresh !== undefined) {
      const file = path.join(dir, fresh);
      let size = -1;
      let steady = 0;
      while (steady < 3) {
        await sleep(500);
        const now = (await stat(file)).size;
        steady = now === size && now > 0 ? steady + 1 : 0;
        size = now;
      }
      known.add(fresh);
      return file;
    }
    await sleep(200);
  }
  throw new Error('the agent wrote no heap snapshot within 2 minutes');
}

interface AgentSample {
  readonly rss: number;
  readonly heap: Map<string, Group> | undefined;
}

/**
 * Our agent behind our gateway holding `from`, then `to` idle streams; with `snapshots`, a heap
 * snapshot at each count. (Writing a snapshot grows the process's RSS for good, so RSS comes
 * from a run without them.)
 */
async function sampleAgent(from: number, to: number, snapshots: boolean): Promise<[AgentSample, AgentSample]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-idle-heap-'));
  const nodeFlags = snapshots ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`] : [];
  const tunnel = await startRoutedTunnel('idle-memory', { gatewayMux: { maxStreams: 16_384 }, agent: { nodeFlags } });
  const { agent, route } = tunnel;
  try {
    const known = new Set<string>();
    let held = 0;
    const sample = async (count: number): Promise<AgentSample> => {
      held = await openIdle(route, count - held);
      await sleep(2000);
      const rss = await rssKiB(agent.pid);
      if (!snapshots) return { rss, heap: undefined };
      process.kill(agent.pid, 'SIGUSR2');
      const file = await newestSnapshot(dir, known);
      return { rss, heap: groupHeap(JSON.parse(await readFile(file, 'utf8')) as HeapSnapshot) };
    };
    const samples: [AgentSample, AgentSample] = [await sample(from), await sample(to)];
    await closeIdle();
    return samples;
  } finally {
    await tunnel.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureAgent(from: number, to: number): Promise<void> {
  const n = to - from;
  const [rssA, rssB] = await sampleAgent(from, to, false);
  const [a, b] = await sampleAgent(from, to, true);
  let heapBytes = 0;
  const rows = [...(b.heap ?? [])]
    .map(([key, group]) => {
      const before = a.heap?.get(key) ?? { count: 0, bytes: 0 };
      heapBytes += group.bytes - before.bytes;
      return { key, count: (group.count - before.count) / n, bytes: (group.bytes - before.bytes) / n };
    })
    .sort((x, y) => y.bytes - x.bytes);
  console.log(`\nour agent, between ${from.toLocaleString('en-US')} and ${to.toLocaleString('en-US')} idle streams:`);
  console.log(
    `  RSS per stream ${((rssB.rss - rssA.rss) / n).toFixed(2)} KiB; JS heap per stream ${(heapBytes / n / 1024).toFixed(2)} KiB`,
  );
  console.log('  JS heap per stream by constructor (bytes, objects):');
  for (const row of rows.slice(0, 30)) {
    if (row.bytes < 16) break;
    console.log(`  ${row.bytes.toFixed(0).padStart(8)} B  ${row.count.toFixed(2).padStart(6)}  ${row.key}`);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--floor-child') {
    await floorChild(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
    return;
  }
  const { values } = parseArgs({
    options: { from: { type: 'string', default: '1000' }, to: { type: 'string', default: '6000' } },
  });
  const from = Number(values.from);
  const to = Number(values.to);
  if (!(Number.isInteger(from) && Number.isInteger(to) && from > 0 && to > from))
    throw new Error('--from and --to must be integers with 0 < from < to');
  const floor = await measureFloor(from, to);
  console.log(
    `plain Node TCP socket (idle, connected, one 'data' listener), between ${from.toLocaleString('en-US')} and ${to.toLocaleString('en-US')}:`,
  );
  console.log(`  RSS per socket ${floor.rss.toFixed(2)} KiB, JS heap per socket ${floor.heap.toFixed(2)} KiB`);
  await measureAgent(from, to);
}

main().catch((error: unknown) => {
  killAllChildren();
  console.error(error);
  process.exitCode = 1;
});

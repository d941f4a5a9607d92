/**
 * Where a stream blocked toward a gateway that stopped reading keeps its memory (issue 16): the
 * scenario of test/faults/never-reading-gateway.test.ts ("1,000 streams relaying a target that
 * sends without pause"), with the agent's memory broken down from inside:
 *
 *   node dist/bench/profile/blocked-streams.js [--warm-up 100] [--streams 1000] [--more 2000] [--idle 12]
 *   MALLOC_ARENA_MAX=2 node dist/bench/profile/blocked-streams.js      # fewer malloc arenas
 *   node dist/bench/profile/blocked-streams.js --node-flag=--single-threaded-gc   # a flag for the agent's node
 *
 * A gateway (TLS 1.3, raw yamux) stops reading right after the agent's Hello, opens `warm-up`
 * streams whose targets send 512 bytes and go idle, then `streams` streams whose targets send
 * 64 KiB chunks without pause once all are connected; after `idle` seconds it opens `more`
 * streams that start sending at once (the connection already blocked), and waits again.
 *
 * Our engine runs in a child process of its own, started as the CLI is (RELAY_NODE_FLAGS, the
 * heap growing factor), with `--expose-gc`. At each point it reports, as found and then after
 * a full collection: RSS; V8's heap by space (physical); ArrayBuffers (the reads the streams
 * hold); and, from /proc/self/smaps, the main malloc arena (`[heap]`), glibc's per-thread arenas
 * (anonymous mappings on a 64 MiB boundary, where the V8 platform's worker threads allocate) and
 * the rest. The first step's figure per stream is what the test asserts; the second step's
 * figure per further stream is the marginal cost, without what was paid once (the young
 * generation growing to its maximum, the arenas of GC worker threads).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { generateCertificateAuthority, issueServerCertificate } from '../../src/gateway/certificates.js';
import { Agent } from '../../src/tunnel/agent/agent.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import { encodeConnectMessage, encodeFrame, freshMessageId } from '../../src/tunnel/codec/index.js';
import { readConfigFile } from '../../src/tunnel/config/load-config.js';
import {
  decodeFrameHeader,
  encodeFrameHeader,
  Flag,
  FrameType,
  HEADER_LENGTH,
} from '../../src/tunnel/mux/frame-header.js';
import { RELAY_NODE_FLAGS, tuneHeapForRelaying } from '../../src/tunnel/mux/index.js';

const SELF = fileURLToPath(import.meta.url);
const KIB = 1024;
const MIB = 1024 * KIB;
/** glibc's HEAP_MAX_SIZE on 64-bit: a thread arena is a mapping aligned to it. */
const THREAD_ARENA_ALIGN = 64 * MIB;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One reading of the agent's memory, in bytes. */
interface Reading {
  readonly rss: number;
  readonly arrayBuffers: number;
  /** V8's heap spaces, physical size. */
  readonly spaces: Readonly<Record<string, number>>;
  /** glibc's main arena (brk). */
  readonly mainArena: number;
  /** glibc's per-thread arenas. */
  readonly threadArenas: number;
  /** Other anonymous memory: V8's pages and reservations, large mallocs (mmap'd), stacks. */
  readonly otherAnonymous: number;
}

interface Readings {
  readonly found: Reading;
  readonly collected: Reading;
}

/** Resident bytes of the process's anonymous mappings, by kind (heuristic: see the header). */
async function anonymousMemory(): Promise<{ mainArena: number; threadArenas: number; other: number }> {
  const text = await readFile('/proc/self/smaps', 'utf8');
  const result = { mainArena: 0, threadArenas: 0, other: 0 };
  let kind: keyof typeof result | null = null;
  for (const line of text.split('\n')) {
    const mapping = /^([0-9a-f]+)-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping !== null) {
      const [, start = '0', , name = ''] = mapping;
      if (name === '[heap]') kind = 'mainArena';
      else if (name !== '') kind = null;
      else kind = Number(BigInt(`0x${start}`) % BigInt(THREAD_ARENA_ALIGN)) === 0 ? 'threadArenas' : 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss !== null && kind !== null) {
      result[kind] += Number(rss[1]) * KIB;
      kind = null;
    }
  }
  return result;
}

async function readMemory(): Promise<Reading> {
  const usage = process.memoryUsage();
  const anonymous = await anonymousMemory();
  return {
    rss: usage.rss,
    arrayBuffers: usage.arrayBuffers,
    spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size])),
    mainArena: anonymous.mainArena,
    threadArenas: anonymous.threadArenas,
    otherAnonymous: anonymous.other,
  };
}

/** Child role: our engine, as the CLI runs it; reports its memory on request. */
async function agentChild(configPath: string): Promise<void> {
  tuneHeapForRelaying();
  const config = await readConfigFile(configPath, process.env);
  const agent = new Agent({ config });
  agent.start();
  process.on('message', (message) => {
    if (message === 'stop') {
      void agent.stop().then(() => process.exit(0));
      return;
    }
    void (async () => {
      const found = await readMemory();
      (globalThis as { gc?: () => void }).gc?.();
      await sleep(200);
      const collected = await readMemory();
      process.send?.({ found, collected } satisfies Readings);
    })();
  });
}

/** A target whose first `quiet` connections send 512 bytes; the others send without pause once `startSending()`. */
async function startTarget(quiet: number): Promise<{
  port: number;
  connections: () => number;
  startSending: () => void;
  close: () => void;
}> {
  const chunk = Buffer.alloc(64 * KIB, 0x42);
  const sockets = new Set<net.Socket>();
  const waiting: (() => void)[] = [];
  let sending = false;
  let count = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    count += 1;
    const send = (): void => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once('drain', send);
    };
    if (count <= quiet) socket.write(chunk.subarray(0, 512));
    else if (sending) send();
    else waiting.push(send);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    startSending() {
      sending = true;
      for (const send of waiting.splice(0)) send();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** A gateway that reads the agent's frames until its Hello (stream 1), then nothing more. */
async function startNeverReadingGateway(): Promise<{
  port: number;
  caPem: string;
  connected: Promise<tls.TLSSocket>;
  close: () => void;
}> {
  const ca = await generateCertificateAuthority('blocked-streams CA');
  const leaf = await issueServerCertificate(ca, ['localhost']);
  let resolveConnected: (socket: tls.TLSSocket) => void = () => undefined;
  const connected = new Promise<tls.TLSSocket>((resolve) => (resolveConnected = resolve));
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem, minVersion: 'TLSv1.3' }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      for (let offset = 0; received.length - offset >= HEADER_LENGTH;) {
        const header = decodeFrameHeader(received, offset);
        if (header.streamId === 1 && header.type === FrameType.Data) {
          socket.off('data', onData);
          socket.pause();
          resolveConnected(socket);
          return;
        }
        offset += HEADER_LENGTH + (header.type === FrameType.Data ? header.length : 0);
      }
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    caPem: ca.certPem,
    connected,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** SYN frames carrying `Connect` to 127.0.0.1:`port` for streams `from` … `from + count - 1` (gateway ids are even). */
function openFrames(port: number, from: number, count: number): Buffer {
  const body = (): Buffer =>
    encodeFrame(
      encodeConnectMessage({
        id: freshMessageId(),
        data: { addr: { kind: 'addr', family: 4, ip: '127.0.0.1', port }, useHalfClose: null },
      }),
    );
  return Buffer.concat(
    Array.from({ length: count }, (_, i) => {
      const connect = body();
      const header = encodeFrameHeader({
        type: FrameType.Data,
        flags: Flag.SYN,
        streamId: 2 + 2 * (from + i),
        length: connect.length,
      });
      return Buffer.concat([header, connect]);
    }),
  );
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 120_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const kib = (bytes: number): string => (bytes / KIB).toFixed(1);

/** Per-stream growth between two readings, row by row. */
function breakdown(a: Reading, b: Reading, streams: number): string[] {
  const per = (x: number, y: number): string => kib((y - x) / streams).padStart(7);
  const spaceNames = [...new Set([...Object.keys(a.spaces), ...Object.keys(b.spaces)])];
  const v8Total = (r: Reading): number => Object.values(r.spaces).reduce((s, v) => s + v, 0);
  const rows = [
    `    RSS                         ${per(a.rss, b.rss)} KiB`,
    `      main malloc arena (brk)   ${per(a.mainArena, b.mainArena)} KiB   of which ArrayBuffers ${per(a.arrayBuffers, b.arrayBuffers)} KiB`,
    `      per-thread malloc arenas  ${per(a.threadArenas, b.threadArenas)} KiB`,
    `      other anonymous           ${per(a.otherAnonymous, b.otherAnonymous)} KiB   of which V8's heap ${per(v8Total(a), v8Total(b))} KiB:`,
  ];
  for (const name of spaceNames) {
    const x = a.spaces[name] ?? 0;
    const y = b.spaces[name] ?? 0;
    if (Math.abs(y - x) >= 64 * KIB) rows.push(`        ${name.padEnd(24)}${per(x, y)} KiB`);
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'warm-up': { type: 'string', default: '100' },
      streams: { type: 'string', default: '1000' },
      more: { type: 'string', default: '2000' },
      idle: { type: 'string', default: '12' },
      'node-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  const warmUp = Number(values['warm-up']);
  const streams = Number(values.streams);
  const more = Number(values.more);
  const idleMs = Number(values.idle) * 1000;
  const nodeFlags = values['node-flag'];
  if (![warmUp, streams, more, idleMs].every((n) => Number.isInteger(n) && n >= 0) || streams === 0)
    throw new Error('--warm-up, --streams, --more and --idle take whole numbers (--streams at least 1)');

  const target = await startTarget(warmUp);
  const gateway = await startNeverReadingGateway();
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-blocked-'));
  const configPath = path.join(dir, 'cluvio-agent.toml');
  await writeFile(
    configPath,
    [
      `secret-key = ${JSON.stringify(generateKeyPair().secretKey.exportBase64url())}`,
      'allowed-addresses = ["127.0.0.0/8"]',
      '',
      '[server]',
      'host = "localhost"',
      `port = ${gateway.port}`,
      `trust = '''\n${gateway.caPem.trim()}\n'''`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const child = fork(SELF, ['--agent-child', configPath], {
    execArgv: [...RELAY_NODE_FLAGS, ...nodeFlags, '--expose-gc'],
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const measure = async (): Promise<Readings> => {
    const reply = once(child, 'message') as Promise<[Readings]>;
    child.send('measure');
    return (await reply)[0];
  };
  try {
    const socket = await gateway.connected;
    socket.write(openFrames(target.port, 0, warmUp));
    await waitFor(() => target.connections() >= warmUp, 'the warm-up streams to reach the target');
    await sleep(3_000);
    const base = await measure();
    socket.write(openFrames(target.port, warmUp, streams));
    await waitFor(() => target.connections() >= warmUp + streams, 'every stream to reach the target');
    target.startSending();
    await sleep(idleMs);
    const first = await measure();
    console.log(
      `our engine (Node ${process.version}, ${[...RELAY_NODE_FLAGS, ...nodeFlags].join(' ')}${process.env.MALLOC_ARENA_MAX === undefined ? '' : `, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}`}), per blocked stream:`,
    );
    console.log(`  ${streams} streams after ${warmUp} warm-up ones (the test's figure), as found:`);
    for (const row of breakdown(base.found, first.found, streams)) console.log(row);
    console.log('  the same, both after a full collection:');
    for (const row of breakdown(base.collected, first.collected, streams)) console.log(row);
    if (more > 0) {
      socket.write(openFrames(target.port, warmUp + streams, more));
      await waitFor(() => target.connections() >= warmUp + streams + more, 'the further streams to reach the target');
      await sleep(idleMs);
      const second = await measure();
      console.log(`  ${more} further streams on the blocked connection (marginal cost), after a full collection:`);
      for (const row of breakdown(first.collected, second.collected, more)) console.log(row);
      console.log('  as found (the first reading taken after its collection):');
      for (const row of breakdown(first.collected, second.found, more)) console.log(row);
    }
  } finally {
    child.send('stop');
    await Promise.race([once(child, 'exit'), sleep(10_000)]);
    child.kill('SIGKILL');
    gateway.close();
    target.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--agent-child') {
  await agentChild(process.argv[3] ?? '');
} else {
  await main();
  process.exit(0);
}

/**
 * Mux benchmark (`npm run bench:mux`): yamux sessions over a loopback TLS 1.3 connection beside
 * a bare TLS 1.3 socket pair, in the same run on the same machine, reported as MiB/s and ratios.
 * The sending end runs on the main thread, the receiving end in a worker thread (one core each,
 * like agent and gateway). Every figure is the median of several interleaved rounds.
 *
 *   node dist/bench/mux/run.js [--mib 256] [--rounds 7] [--rtt 50] [--sweep] [--skip-window]
 *                              [--only throughput|latency|window|sweep]
 *
 * Sections: throughput (1 and 64 streams vs bare TLS, with the slowest of 64 streams against
 * their mean), small request/response latency (mux vs bare TLS vs a bare TLS socket that writes
 * header and body separately with Nagle on, as the reference agent does), receive-window
 * auto-tuning through a proxy that adds a round trip of `--rtt` ms, and with `--sweep` the
 * outgoing frame size. Ratios are paired per round (see `throughputTable`).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { generateSelfSignedServerCertificate, type CertificateAndKey } from '../../src/gateway/certificates.js';
import { YAMUX_0_10_CONFIG, type MuxConfig } from '../../src/tunnel/mux/config.js';
import { Session } from '../../src/tunnel/mux/session.js';
import { startDelayProxy } from './delay-proxy.js';
import { REQUEST_BYTES, writeMessage, type ReceiverOptions, type ReceiverReady } from './channel.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const CHUNK = randomBytes(64 * KIB);

const { values: args } = parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '7' },
    rtt: { type: 'string', default: '50' },
    sweep: { type: 'boolean', default: false },
    only: { type: 'string' },
    'skip-window': { type: 'boolean', default: false },
  },
});
const TOTAL_BYTES = Number(args.mib) * MIB;
const ROUNDS = Number(args.rounds);
const RTT_MS = Number(args.rtt);

interface Receiver {
  readonly port: number;
  stop(): Promise<void>;
}

async function startReceiver(
  options: Omit<ReceiverOptions, 'certPem' | 'keyPem'>,
  cert: CertificateAndKey,
): Promise<Receiver> {
  const workerData: ReceiverOptions = { ...options, certPem: cert.certPem, keyPem: cert.keyPem };
  const worker = new Worker(new URL('./receiver.js', import.meta.url), { workerData });
  const [ready] = (await once(worker, 'message')) as [ReceiverReady];
  return {
    port: ready.port,
    stop: async () => {
      const exited = once(worker, 'exit');
      worker.postMessage('stop');
      await exited;
    },
  };
}

let cipher = '';

async function dial(port: number, cert: CertificateAndKey, nagle = false): Promise<tls.TLSSocket> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: cert.certPem,
    minVersion: 'TLSv1.3',
  });
  await once(socket, 'secureConnect');
  socket.setNoDelay(!nagle);
  cipher = `${socket.getProtocol() ?? '?'} ${socket.getCipher().name}`;
  return socket;
}

/** Sends `bytes` with backpressure, ends, and resolves with the ms until the sink's answer. */
async function sendAndTime(channel: Duplex, bytes: number, start: number): Promise<number> {
  const answered = new Promise<number>((resolve, reject) => {
    channel.once('data', () => {
      resolve(performance.now() - start);
    });
    channel.once('error', reject);
  });
  for (let left = bytes; left > 0;) {
    const n = Math.min(left, CHUNK.length);
    left -= n;
    if (!channel.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) await once(channel, 'drain');
  }
  channel.end();
  return answered;
}

interface Throughput {
  readonly mibPerSecond: number;
  /** Slowest stream's rate over the mean rate of all streams (1 for a single channel). */
  readonly slowestOverMean: number;
}

function rate(bytes: number, ms: number): number {
  return bytes / MIB / (ms / 1000);
}

async function bareThroughput(port: number, cert: CertificateAndKey, bytes: number): Promise<Throughput> {
  const socket = await dial(port, cert);
  const ms = await sendAndTime(socket, bytes, performance.now());
  socket.destroy();
  return { mibPerSecond: rate(bytes, ms), slowestOverMean: 1 };
}

async function muxThroughput(
  port: number,
  cert: CertificateAndKey,
  streams: number,
  bytes: number,
  mux: Partial<MuxConfig>,
): Promise<Throughput> {
  const socket = await dial(port, cert);
  const session = new Session(socket, { ...mux, mode: 'client' });
  const channels = Array.from({ length: streams }, () => session.open().on('error', () => undefined));
  const perStream = Math.floor(bytes / streams);
  const start = performance.now();
  const times = await Promise.all(channels.map((c) => sendAndTime(c, perStream, start)));
  const rates = times.map((ms) => rate(perStream, ms));
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  session.destroy();
  return { mibPerSecond: rate(perStream * streams, Math.max(...times)), slowestOverMean: Math.min(...rates) / mean };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const pad = (s: string, n: number): string => s.padEnd(n);
const num = (n: number, digits = 1): string => n.toFixed(digits).padStart(8);

interface Case {
  readonly label: string;
  readonly run: () => Promise<Throughput>;
}

/**
 * Runs every case once per round, in the same order, and reports medians. The ratio is the
 * median of per-round ratios against the first case (paired runs cancel slow drifts of a shared
 * machine); the range shows how much rounds disagreed.
 */
async function throughputTable(title: string, cases: Case[]): Promise<void> {
  const runs = cases.map(() => [] as Throughput[]);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [i, c] of cases.entries()) runs[i]?.push(await c.run());
  }
  const baseline = runs[0] ?? [];
  console.log(`\n${title}`);
  console.log(`  ${pad('', 42)}   MiB/s   ratio  (range)        slowest/mean`);
  for (const [i, c] of cases.entries()) {
    const mine = runs[i] ?? [];
    const ratios = mine.map((r, round) => r.mibPerSecond / (baseline[round]?.mibPerSecond ?? Number.NaN));
    const range = `(${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
    const fairness = c.label.includes('64 streams') ? num(median(mine.map((r) => r.slowestOverMean)), 2) : '       -';
    console.log(
      `  ${pad(c.label, 42)} ${num(median(mine.map((r) => r.mibPerSecond)))} ${num(median(ratios), 2)}  ${pad(range, 12)} ${fairness}`,
    );
  }
}

async function throughput(cert: CertificateAndKey): Promise<void> {
  const bare = await startReceiver({ transport: 'bare', behaviour: 'sink' }, cert);
  const mux = await startReceiver({ transport: 'mux', behaviour: 'sink' }, cert);
  const reference = await startReceiver({ transport: 'mux', behaviour: 'sink', mux: YAMUX_0_10_CONFIG }, cert);
  await throughputTable(
    `Throughput, ${args.mib} MiB per run, ${ROUNDS} rounds (ratio against bare TLS in the same round)`,
    [
      { label: 'bare TLS 1.3 socket pair', run: () => bareThroughput(bare.port, cert, TOTAL_BYTES) },
      { label: 'mux, 1 stream', run: () => muxThroughput(mux.port, cert, 1, TOTAL_BYTES, {}) },
      { label: 'mux, 64 streams', run: () => muxThroughput(mux.port, cert, 64, TOTAL_BYTES, {}) },
      {
        label: 'mux (0.10 settings both ends), 1 stream',
        run: () => muxThroughput(reference.port, cert, 1, TOTAL_BYTES, YAMUX_0_10_CONFIG),
      },
      {
        label: 'mux (0.10 settings both ends), 64 streams',
        run: () => muxThroughput(reference.port, cert, 64, TOTAL_BYTES, YAMUX_0_10_CONFIG),
      },
    ],
  );
  await Promise.all([bare.stop(), mux.stop(), reference.stop()]);
}

async function frameSizeSweep(cert: CertificateAndKey): Promise<void> {
  const cases: Case[] = [];
  const receivers: Receiver[] = [];
  const bare = await startReceiver({ transport: 'bare', behaviour: 'sink' }, cert);
  receivers.push(bare);
  cases.push({ label: 'bare TLS 1.3 socket pair', run: () => bareThroughput(bare.port, cert, TOTAL_BYTES) });
  for (const body of [16 * KIB - 12, 16 * KIB, 64 * KIB, 256 * KIB]) {
    const mux: Partial<MuxConfig> = { maxOutgoingFrameBody: body };
    const receiver = await startReceiver({ transport: 'mux', behaviour: 'sink', mux }, cert);
    receivers.push(receiver);
    cases.push({
      label: `mux, 1 stream, ${body}-byte frames`,
      run: () => muxThroughput(receiver.port, cert, 1, TOTAL_BYTES, mux),
    });
    cases.push({
      label: `mux, 64 streams, ${body}-byte frames`,
      run: () => muxThroughput(receiver.port, cert, 64, TOTAL_BYTES, mux),
    });
  }
  await throughputTable(
    `Outgoing frame size, ${args.mib} MiB per run, ${ROUNDS} rounds (ratio against bare TLS in the same round)`,
    cases,
  );
  await Promise.all(receivers.map((r) => r.stop()));
}

/** Request/response round trips of REQUEST_BYTES each way, one at a time; ms per round trip. */
async function roundTrips(channel: Duplex, count: number, split: boolean): Promise<number[]> {
  const request = randomBytes(REQUEST_BYTES);
  const times: number[] = [];
  let pending = 0;
  let resolveTurn: () => void = () => undefined;
  channel.on('data', (chunk: Buffer) => {
    pending -= chunk.length;
    if (pending <= 0) resolveTurn();
  });
  for (let i = 0; i < count; i += 1) {
    pending = REQUEST_BYTES;
    const turn = new Promise<void>((resolve) => {
      resolveTurn = resolve;
    });
    const start = performance.now();
    writeMessage(channel, request, split);
    await turn;
    times.push(performance.now() - start);
  }
  return times;
}

async function latency(cert: CertificateAndKey): Promise<void> {
  const count = 1000;
  const rows: [string, number[]][] = [];
  const bare = await startReceiver({ transport: 'bare', behaviour: 'respond' }, cert);
  const socket = await dial(bare.port, cert);
  rows.push(['bare TLS, one write per message', await roundTrips(socket, count, false)]);
  socket.destroy();

  const mux = await startReceiver({ transport: 'mux', behaviour: 'respond' }, cert);
  const muxSocket = await dial(mux.port, cert);
  const session = new Session(muxSocket, { mode: 'client' });
  const stream = session.open().on('error', () => undefined);
  // Even written in two pieces, a message leaves as frames coalesced into one socket write.
  rows.push(['mux stream, message written in two pieces', await roundTrips(stream, count, true)]);
  session.destroy();

  // What the reference agent does: a 12-byte header and the body as two writes (two TLS
  // records), Nagle left on at both ends.
  const nagle = await startReceiver({ transport: 'bare', behaviour: 'respond', splitWrites: true, nagle: true }, cert);
  const nagleSocket = await dial(nagle.port, cert, true);
  rows.push(['bare TLS, header + body as 2 writes, Nagle on', await roundTrips(nagleSocket, 100, true)]);
  nagleSocket.destroy();
  await Promise.all([bare.stop(), mux.stop(), nagle.stop()]);

  console.log(
    `\nRequest/response round trip, ${REQUEST_BYTES} bytes each way (${count} round trips; 100 for the last row)`,
  );
  console.log(`  ${pad('', 46)}  p50 ms   p99 ms`);
  for (const [label, times] of rows)
    console.log(`  ${pad(label, 46)} ${num(percentile(times, 50), 3)} ${num(percentile(times, 99), 3)}`);
}

async function windowTuning(cert: CertificateAndKey): Promise<void> {
  const oneWay = RTT_MS / 2;
  const results: [string, number][] = [];
  const bare = await startReceiver({ transport: 'bare', behaviour: 'sink' }, cert);
  const bareProxy = await startDelayProxy(bare.port, oneWay);
  results.push([
    'bare TLS through the same proxy (ceiling)',
    (await bareThroughput(bareProxy.port, cert, 64 * MIB)).mibPerSecond,
  ]);
  bareProxy.close();

  for (const autoTuneWindow of [false, true]) {
    const mux: Partial<MuxConfig> = { autoTuneWindow };
    const receiver = await startReceiver({ transport: 'mux', behaviour: 'sink', mux }, cert);
    const proxy = await startDelayProxy(receiver.port, oneWay);
    const bytes = autoTuneWindow ? 64 * MIB : 16 * MIB;
    const label = autoTuneWindow
      ? 'mux, 1 stream, auto-tuning on (16 MiB max)'
      : 'mux, 1 stream, fixed 256 KiB window (0.10)';
    results.push([label, (await muxThroughput(proxy.port, cert, 1, bytes, mux)).mibPerSecond]);
    proxy.close();
    await receiver.stop();
  }
  await bare.stop();
  console.log(`\nReceive window through a proxy adding ${RTT_MS} ms of round trip (one run each)`);
  console.log(`  ${pad('', 44)}   MiB/s`);
  for (const [label, mib] of results) console.log(`  ${pad(label, 44)} ${num(mib)}`);
  console.log(
    `  (a fixed 256 KiB window allows at most ${(256 / 1024 / (RTT_MS / 1000)).toFixed(1)} MiB/s at this RTT)`,
  );
}

async function main(): Promise<void> {
  const cert = await generateSelfSignedServerCertificate(['localhost']);
  console.log(
    `mux benchmark: Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), loopback, receiver in a worker thread`,
  );
  const only = args.only;
  if (only === undefined || only === 'throughput') {
    await throughput(cert);
    console.log(`  (TLS: ${cipher})`);
  }
  if (only === undefined || only === 'latency') await latency(cert);
  if ((only === undefined && !args['skip-window']) || only === 'window') await windowTuning(cert);
  if (args.sweep || only === 'sweep') await frameSizeSweep(cert);
}

await main();

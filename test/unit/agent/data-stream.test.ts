/**
 * Data streams (PROTOCOL.md §7.5) over a real yamux session pair on a loopback TLS 1.3
 * connection: the test plays the gateway with the codec, `serveDataStream` runs on the agent's
 * side, and the targets are real TCP servers on 127.0.0.1.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamInfo } from '../../../src/shared/agent-state.js';
import type { LogRecord } from '../../../src/shared/log-record.js';
import { serveDataStream, type DataStreamOutcome } from '../../../src/tunnel/agent/data-stream.js';
import { systemResolver, type Resolver } from '../../../src/tunnel/agent/lookup.js';
import { StreamTable } from '../../../src/tunnel/agent/stream-table.js';
import { systemClock } from '../../../src/tunnel/agent/clock.js';
import { encodeFrame } from '../../../src/tunnel/codec/index.js';
import { Allowlist } from '../../../src/tunnel/config/allowlist.js';
import { LogHub } from '../../../src/tunnel/log/logger.js';
import { LogTargetFilter } from '../../../src/tunnel/log/target-filter.js';
import type { MuxStream } from '../../../src/tunnel/mux/stream.js';
import { addr, connectStream, name } from './support/gateway-side.js';
import { closedPort, echoTarget, readToEnd, startTarget, type TargetServer } from './support/targets.js';
import { tlsMuxPair, type TlsMuxPair } from './support/tls-mux-pair.js';
import { until } from './support/wait.js';

interface Harness {
  readonly pair: TlsMuxPair;
  readonly table: StreamTable;
  readonly logs: LogRecord[];
  readonly events: StreamInfo[];
  readonly outcomes: Promise<DataStreamOutcome>[];
  readonly agentStreams: MuxStream[];
  readonly stop: AbortController;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(
  allowed: readonly string[] = ['0.0.0.0/0', '::/0', '*.'],
  connectTimeoutMs = 10_000,
  resolver: Resolver = systemResolver,
  onChange: (info: StreamInfo) => void = () => undefined,
): Promise<Harness> {
  const pair = await tlsMuxPair();
  const hub = new LogHub();
  const logs: LogRecord[] = [];
  hub.subscribe((record) => logs.push(record), LogTargetFilter.allAt('trace'));
  const events: StreamInfo[] = [];
  const table = new StreamTable({
    clock: systemClock,
    onChange: (info) => {
      events.push(info);
      onChange(info);
    },
  });
  const outcomes: Promise<DataStreamOutcome>[] = [];
  const agentStreams: MuxStream[] = [];
  const stop = new AbortController();
  pair.agent.on('stream', (stream) => {
    agentStreams.push(stream);
    outcomes.push(
      serveDataStream(stream, {
        connection: 1,
        draining: false,
        allowlist: Allowlist.of(allowed),
        connectTimeoutMs,
        clock: systemClock,
        resolver,
        table,
        log: hub.logger('cluvio_agent').child('stream'),
        signal: stop.signal,
      }),
    );
  });
  cleanups.push(async () => {
    stop.abort();
    await Promise.all(outcomes);
    await pair.close();
  });
  return { pair, table, logs, events, outcomes, agentStreams, stop };
}

async function target(server: Promise<TargetServer>): Promise<TargetServer> {
  const started = await server;
  cleanups.push(() => started.close());
  return started;
}

/**
 * The arguments of every `method` call made on a real socket while it is connected to
 * 127.0.0.1:`port` (Node has no getsockopt, so the option calls themselves are what is observed).
 */
function socketOptionCalls(method: 'setKeepAlive' | 'setNoDelay', port: number): () => unknown[][] {
  const spy = vi.spyOn(net.Socket.prototype, method);
  cleanups.push(() => {
    spy.mockRestore();
    return Promise.resolve();
  });
  return () =>
    spy.mock.calls.filter((_, index) => (spy.mock.contexts[index] as net.Socket | undefined)?.remotePort === port);
}

/** The listener of `unansweringPort`: its thread blocks until the test releases it, then closes. */
const BLOCKED_LISTENER = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData), 0, 0);
  server.close();
});
`;

/**
 * A port on 127.0.0.1 where a TCP connect never completes: a real listener whose thread (a
 * worker) is blocked, so nothing accepts, with its backlog filled by connections of our own;
 * the kernel then drops every further SYN and the connect stays pending.
 */
async function unansweringPort(): Promise<number> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(BLOCKED_LISTENER, { eval: true, workerData: release.buffer });
  const fillers: net.Socket[] = [];
  cleanups.push(async () => {
    for (const filler of fillers) filler.destroy();
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    await once(worker, 'exit');
  });
  const [port] = (await once(worker, 'message')) as [number];
  while (fillers.length < 16) {
    const filler = net.connect(port, '127.0.0.1');
    filler.on('error', () => undefined);
    fillers.push(filler);
    const connected = await Promise.race([
      once(filler, 'connect').then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, 300, false)),
    ]);
    if (!connected) return port; // the backlog is full
  }
  throw new Error('the blocked listener kept accepting connections');
}

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('data stream: Connect, allowlist, connect, reply', () => {
  it('a stream-table subscriber that throws when a relayed stream closes ends only that stream, as failed; the next stream is served', async () => {
    const h = await harness(undefined, undefined, undefined, (info) => {
      if (info.phase === 'closed' && info.id === 2) throw new Error('subscriber broke');
    });
    const echo = await target(echoTarget());
    const first = await connectStream(h.pair.gateway, addr('127.0.0.1', echo.port), { halfClose: true });
    expect(first.reply).toEqual({ ok: true });
    first.stream.end('one');
    expect((await readToEnd(first.stream)).toString()).toBe('one');
    expect(await h.outcomes[0]).toBe('failed');
    expect(
      h.logs.some((r) => r.message === 'data stream failed' && String(r.fields.error).includes('subscriber broke')),
    ).toBe(true);
    const second = await connectStream(h.pair.gateway, addr('127.0.0.1', echo.port), { halfClose: true });
    expect(second.reply).toEqual({ ok: true });
    second.stream.end('two');
    expect((await readToEnd(second.stream)).toString()).toBe('two');
    expect(await h.outcomes[1]).toBe('relayed');
  });

  it('connects an allowed address, replies Ok and relays both ways, including bytes sent right behind Connect', async () => {
    const h = await harness();
    const echo = await target(echoTarget());
    const { stream, reply } = await connectStream(h.pair.gateway, addr('127.0.0.1', echo.port), {
      halfClose: true,
      extra: Buffer.from('early '),
    });
    expect(reply).toEqual({ ok: true });
    stream.end('bytes');
    expect((await readToEnd(stream)).toString()).toBe('early bytes');
    expect(await h.outcomes[0]).toBe('relayed');
    const [info] = h.table.list();
    expect(info).toMatchObject({
      target: `127.0.0.1:${echo.port}`,
      resolved: `127.0.0.1:${echo.port}`,
      phase: 'closed',
      halfClose: true,
      error: null,
      bytesToTarget: 11,
      bytesFromTarget: 11,
    });
    expect(h.events.map((e) => e.phase)).toEqual(expect.arrayContaining(['connecting', 'open', 'closed']));
    expect(h.table.totals()).toMatchObject({ open: 0, total: 1, failed: 0, bytesToTarget: 11, bytesFromTarget: 11 });
  });

  it('sets TCP_NODELAY and a 30 s TCP keepalive on the target socket', async () => {
    const h = await harness();
    const echo = await target(echoTarget());
    const keepAlive = socketOptionCalls('setKeepAlive', echo.port);
    const noDelay = socketOptionCalls('setNoDelay', echo.port);
    const { stream, reply } = await connectStream(h.pair.gateway, addr('127.0.0.1', echo.port), { halfClose: true });
    expect(reply).toEqual({ ok: true });
    // Read while the target connection is still open: its remote port identifies the socket.
    expect(keepAlive()).toEqual([[true, 30_000]]);
    expect(noDelay()).toEqual([[true]]);
    stream.end('ping');
    expect((await readToEnd(stream)).toString()).toBe('ping');
  });

  it('resolves a name allowed by a pattern and connects to what it resolves to', async () => {
    const h = await harness(['*.']);
    const echo = await target(echoTarget());
    const { stream, reply } = await connectStream(h.pair.gateway, name('localhost', echo.port), { halfClose: true });
    expect(reply).toEqual({ ok: true });
    stream.end('ping');
    expect((await readToEnd(stream)).toString()).toBe('ping');
    expect(h.table.list()[0]).toMatchObject({ target: `localhost:${echo.port}`, resolved: `127.0.0.1:${echo.port}` });
  });

  it('refuses an address outside the allowlist with AddressNotAllowed, then half-closes: the reply always arrives first', async () => {
    const h = await harness(['10.0.0.0/8', 'db.internal']);
    const echo = await target(echoTarget());
    for (let i = 0; i < 20; i += 1) {
      const { stream, reply, failure } = await connectStream(h.pair.gateway, addr('127.0.0.1', echo.port));
      expect(failure).toBeNull();
      expect(reply).toEqual({ ok: false, code: 'AddressNotAllowed' });
      await readToEnd(stream); // a clean FIN, not a reset
    }
    expect(echo.connections).toHaveLength(0);
    const refusal = h.logs.find((r) => r.message === 'address not allowed');
    expect(refusal).toMatchObject({
      level: 'error',
      module: 'cluvio_agent::stream',
      fields: { address: `127.0.0.1:${echo.port}` },
    });
    expect(h.table.totals()).toMatchObject({ total: 20, failed: 20, open: 0 });
  });

  it('never matches a name against IP networks, nor an IPv4-mapped IPv6 address against IPv4 networks', async () => {
    const h = await harness(['127.0.0.0/8']);
    const echo = await target(echoTarget());
    expect((await connectStream(h.pair.gateway, name('localhost', echo.port))).reply).toEqual({
      ok: false,
      code: 'AddressNotAllowed',
    });
    expect((await connectStream(h.pair.gateway, name('127.0.0.1', echo.port))).reply).toEqual({
      ok: false,
      code: 'AddressNotAllowed',
    });
    expect((await connectStream(h.pair.gateway, addr('::ffff:127.0.0.1', echo.port))).reply).toEqual({
      ok: false,
      code: 'AddressNotAllowed',
    });
    expect((await connectStream(h.pair.gateway, addr('127.0.0.1', echo.port))).reply).toEqual({ ok: true });
  });

  it('answers CouldNotConnect for a closed port and logs the failure', async () => {
    const h = await harness();
    const port = await closedPort();
    const { stream, reply } = await connectStream(h.pair.gateway, addr('127.0.0.1', port));
    expect(reply).toEqual({ ok: false, code: 'CouldNotConnect' });
    await readToEnd(stream);
    const warning = h.logs.find(
      (r) => r.level === 'warn' && r.message.startsWith(`failed to connect to 127.0.0.1:${port}: `),
    );
    expect(warning?.message).toContain('could not connect to any address of');
    expect(h.table.list()[0]?.error).toMatch(/could not connect/);
  });

  it('answers CouldNotConnect once connect-timeout has passed when the target never completes the TCP connect', async () => {
    const h = await harness(undefined, 500);
    const port = await unansweringPort();
    const started = performance.now();
    const { stream, reply } = await connectStream(h.pair.gateway, addr('127.0.0.1', port));
    const elapsed = performance.now() - started;
    expect(reply).toEqual({ ok: false, code: 'CouldNotConnect' });
    // About the timeout: not before it, and long before the kernel would give up (minutes).
    expect(elapsed).toBeGreaterThanOrEqual(480);
    expect(elapsed).toBeLessThan(5_000);
    await readToEnd(stream);
    const warning = h.logs.find(
      (r) => r.level === 'warn' && r.message.startsWith(`failed to connect to 127.0.0.1:${port}: `),
    );
    expect(warning?.message).toBe(`failed to connect to 127.0.0.1:${port}: timeout: deadline has elapsed`);
    expect(h.table.list()[0]?.error).toBe('could not connect: timeout: deadline has elapsed');
  });

  it("tries a name's addresses in order: the first refuses, the next one is connected, replies Ok and relays", async () => {
    const echo = await target(echoTarget());
    // Nothing listens on [::1] at the echo port (it listens on 127.0.0.1 only).
    const resolver: Resolver = (host) =>
      Promise.resolve(
        host === 'db.internal'
          ? [
              { address: '::1', family: 6 },
              { address: '127.0.0.1', family: 4 },
            ]
          : [],
      );
    const h = await harness(['db.internal'], 10_000, resolver);
    const { stream, reply } = await connectStream(h.pair.gateway, name('db.internal', echo.port), { halfClose: true });
    expect(reply).toEqual({ ok: true });
    stream.end('via the second address');
    expect((await readToEnd(stream)).toString()).toBe('via the second address');
    expect(h.table.list()[0]).toMatchObject({
      target: `db.internal:${echo.port}`,
      resolved: `127.0.0.1:${echo.port}`,
      error: null,
    });
    const skipped = h.logs.find((r) =>
      r.message.startsWith(`failed to connect to [::1]:${echo.port} (db.internal:${echo.port}): `),
    );
    expect(skipped).toMatchObject({ level: 'debug', module: 'cluvio_agent::stream' });
    expect(echo.connections).toHaveLength(1);
  });

  it('answers CouldNotConnect when the name does not resolve', async () => {
    const h = await harness(['*.']);
    const { reply } = await connectStream(h.pair.gateway, name('no-such-host.invalid', 5432));
    expect(reply).toEqual({ ok: false, code: 'CouldNotConnect' });
  });

  it('drops streams without a usable Connect without replying, and keeps serving others', async () => {
    const h = await harness();
    const echo = await target(echoTarget());
    const cases: Buffer[] = [
      encodeFrame(Buffer.from([0xff, 0x00, 0x13])), // not CBOR
      encodeFrame(Buffer.from([0x82, 0x01, 0x82, 0x09, 0x80])), // [1, [9, []]]: not a Connect map
      Buffer.from([0x00, 0x09, 0x00, 0x00]), // a length prefix above 512 KiB
      // [id, {0: [9, ["x", 1]]}]: an unknown Address variant decodes as data = None
      encodeFrame(Buffer.from([0x82, 0x01, 0xa1, 0x00, 0x82, 0x09, 0x82, 0x61, 0x78, 0x01])),
    ];
    for (const bytes of cases) {
      const stream = h.pair.gateway.open();
      stream.on('error', () => undefined);
      stream.write(bytes);
      const ended = await new Promise<string>((resolve) => {
        stream.once('data', () => {
          resolve('data');
        });
        stream.once('end', () => {
          resolve('end');
        });
        stream.once('close', () => {
          resolve('close');
        });
      });
      expect(ended).not.toBe('data');
    }
    const eof = h.pair.gateway.open();
    eof.on('error', () => undefined);
    eof.end();
    await until(() => h.outcomes.length === cases.length + 1, 'the EOF stream to reach the agent');
    expect(await Promise.all(h.outcomes)).toEqual(Array<DataStreamOutcome>(cases.length + 1).fill('dropped'));
    expect(h.table.list()).toHaveLength(0);
    expect((await connectStream(h.pair.gateway, addr('127.0.0.1', echo.port))).reply).toEqual({ ok: true });
  });
});

describe('data stream: closing', () => {
  it('half-close: each direction ends on its own', async () => {
    const h = await harness();
    const upstream = await target(startTarget());
    const { stream, reply } = await connectStream(h.pair.gateway, addr('127.0.0.1', upstream.port), {
      halfClose: true,
    });
    expect(reply).toEqual({ ok: true });
    const socket = await upstream.nextConnection();
    stream.end('request');
    // The target sees the whole request and its end, and can still answer afterwards.
    expect((await readToEnd(socket)).toString()).toBe('request');
    await until(() => h.table.list()[0]?.phase === 'remote-closed', 'phase remote-closed');
    const response = readToEnd(stream);
    socket.end('response after EOF');
    expect((await response).toString()).toBe('response after EOF');
    expect(await h.outcomes[0]).toBe('relayed');
    expect(h.table.list()[0]).toMatchObject({
      phase: 'closed',
      halfClose: true,
      bytesToTarget: 7,
      bytesFromTarget: 18,
      error: null,
    });
  });

  it('half-close: the target ends first and the gateway keeps sending', async () => {
    const h = await harness();
    const upstream = await target(startTarget());
    const { stream } = await connectStream(h.pair.gateway, addr('127.0.0.1', upstream.port), { halfClose: true });
    const socket = await upstream.nextConnection();
    const fromAgent = readToEnd(stream);
    socket.end('banner');
    expect((await fromAgent).toString()).toBe('banner');
    await until(() => h.table.list()[0]?.phase === 'local-closed', 'phase local-closed');
    const atTarget = readToEnd(socket);
    stream.end('still flowing');
    expect((await atTarget).toString()).toBe('still flowing');
    expect(await h.outcomes[0]).toBe('relayed');
  });

  it('full close: the gateway’s FIN ends the transfer; a late target write is not forwarded', async () => {
    const h = await harness();
    const upstream = await target(startTarget());
    const { stream } = await connectStream(h.pair.gateway, addr('127.0.0.1', upstream.port), { halfClose: false });
    const socket = await upstream.nextConnection();
    const fromAgent = readToEnd(stream);
    stream.end('abc');
    expect((await readToEnd(socket)).toString()).toBe('abc');
    socket.write('late');
    expect((await fromAgent).toString()).toBe('');
    expect(await h.outcomes[0]).toBe('relayed');
    const finished = h.logs.find((r) => r.message === 'data transfer finished');
    expect(finished?.fields).toMatchObject({ recv: 'Some(Ok(3))', sent: 'None' });
  });

  it('full close: the target’s end ends the transfer; later gateway data is ignored', async () => {
    const h = await harness();
    const upstream = await target(startTarget());
    const { stream } = await connectStream(h.pair.gateway, addr('127.0.0.1', upstream.port));
    const socket = await upstream.nextConnection();
    const fromAgent = readToEnd(stream);
    const atTarget = readToEnd(socket);
    socket.end('goodbye');
    expect((await fromAgent).toString()).toBe('goodbye');
    stream.write('ignored');
    expect(await h.outcomes[0]).toBe('relayed');
    expect((await atTarget).toString()).toBe('');
    const finished = h.logs.find((r) => r.message === 'data transfer finished');
    expect(finished?.fields).toMatchObject({ recv: 'None', sent: 'Some(Ok(7))' });
  });

  it('a gateway reset aborts the transfer and closes the target socket', async () => {
    const h = await harness();
    const upstream = await target(startTarget());
    const { stream } = await connectStream(h.pair.gateway, addr('127.0.0.1', upstream.port), { halfClose: true });
    const socket = await upstream.nextConnection();
    const ended = readToEnd(socket);
    stream.reset();
    await ended;
    expect(await h.outcomes[0]).toBe('failed');
    expect(h.table.list()[0]?.error).toMatch(/reset/);
  });

  it('stopping closes the stream and the target socket', async () => {
    const h = await harness();
    const upstream = await target(startTarget());
    await connectStream(h.pair.gateway, addr('127.0.0.1', upstream.port));
    const socket = await upstream.nextConnection();
    const ended = readToEnd(socket);
    h.stop.abort();
    await ended;
    expect(await h.outcomes[0]).toBe('failed');
  });
});

describe('data stream: backpressure', () => {
  it('holds at most a receive window while the target does not read, then delivers everything intact', async () => {
    const h = await harness();
    const upstream = await target(startTarget());
    const { stream } = await connectStream(h.pair.gateway, addr('127.0.0.1', upstream.port), { halfClose: true });
    const socket = await upstream.nextConnection();
    socket.pause();
    const data = randomBytes(24 * 1024 * 1024);
    let written = 0;
    const writing = (async () => {
      for (; written < data.length; written += 64 * 1024) {
        if (!stream.write(data.subarray(written, written + 64 * 1024))) await once(stream, 'drain');
      }
      stream.end();
    })();
    // Wait until the gateway is blocked: its stream has no credit left and keeps bytes queued.
    await until(() => stream.sendWindow === 0 && stream.bufferedOutbound > 0, 'the gateway to run out of credit');
    const agentStream = h.agentStreams[0];
    const entry = h.table.openEntries()[0];
    if (agentStream === undefined || entry === undefined) throw new Error('no agent stream');
    const maxWindow = 256 * 1024;
    for (let sample = 0; sample < 20; sample += 1) {
      expect(agentStream.bufferedInbound).toBeLessThanOrEqual(maxWindow);
      expect(entry.bufferedToTarget).toBeLessThanOrEqual(64 * 1024);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(written).toBeLessThan(data.length);
    const received = readToEnd(socket);
    await writing;
    expect(sha(await received)).toBe(sha(data));
    socket.end();
    expect(await h.outcomes[0]).toBe('relayed');
  });
});

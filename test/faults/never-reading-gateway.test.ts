/**
 * A gateway that stops reading and keeps sending (issue 16): right after the agent's Hello it
 * reads nothing more, and floods the agent with frames — Pings (each asks for an
 * answer), window updates (cost only parsing), streams opened and half-closed at once (each
 * answered with FIN), streams opened and reset at once, for 25 s — or opens 1,000 streams to a target that
 * sends without pause. Every attack runs against the real reference agent and our CLI, as
 * processes, under the same bounds; what only ours can show (its /healthz, its own counters on
 * /metrics) is asserted for ours.
 *
 * The bounds keep an order of magnitude (or the noise of a shared machine) between the broken
 * behaviour and the working one. Before the fix our agent answered every Ping into a queue that
 * grew without bound and copied itself once per frame: a full core, /healthz 8 s after 10 s and
 * then never, the agent's own ping deadline never firing; a blocked relayed stream held
 * 130–226 KiB. Now:
 * - counters first: the write queue toward the gateway never holds more than
 *   QUEUE_BOUND (data's two batches, the 64 KiB reply backlog, a few frames: 610 KiB measured;
 *   broken: tens of MiB), no frame is parsed while it is over its bound, a blocked stream holds at
 *   most one 16 KiB target read;
 * - then the process: CPU below half a core over the 25 s (broken: one core), /healthz within 2 s
 *   throughout (broken: 8 s, then never), resident memory at most +RSS_BOUND over the attack
 *   and flat over its last 15 s, from 10 s on (V8 collects the socket buffers it read only once 64 MiB of them
 *   have piled up: our agent floats by up to ~70 MiB where the reference, which frees at once,
 *   stays flat; broken: +79 MiB in 20 s and rising), at most PER_STREAM_BOUND per blocked stream
 *   and (ours) FURTHER_STREAM_BOUND per stream opened once the connection is blocked;
 * - afterwards the agent connects again once the gateway drops the connection, and ours ends a
 *   connection whose gateway stopped reading by its own ping deadline.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Flag, FrameType } from '../../src/tunnel/mux/frame-header.js';
import { type AgentImplementation, OUR_AGENT_CLI, REFERENCE_AGENT } from '../support/reference-agent.js';
import { waitUntil } from '../support/gateway-fixture.js';
import { frame } from '../unit/mux/support/raw-peer.js';
import { startTarget } from '../unit/agent/support/targets.js';
import {
  type Cleanups,
  connectFrame,
  type HostileConnection,
  type HostileGateway,
  helloOn,
  hostileGateway,
  runAgent,
} from './support/hostile-gateway.js';
import { agentMetrics, healthzUrlOf, metricsUrlOf, type AgentMetricsSample } from './support/agent-metrics.js';
import { memoryOf, watchProcess } from './support/process-watch.js';
import {
  type Flood,
  OPEN_AND_HALF_CLOSE_FLOOD,
  OPEN_AND_RESET_FLOOD,
  PING_FLOOD,
  WINDOW_UPDATE_FLOOD,
} from './support/frame-floods.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KIB = 1024;
const MIB = 1024 * KIB;
const ATTACK_MS = 25_000;
/** From here on resident memory must stay flat (V8 has settled on its heap sizes by then). */
const SETTLED_MS = 10_000;
/** Data's two 273 KiB batches, the 64 KiB reply backlog, and frames queued by the agent itself. */
const QUEUE_BOUND = 768 * KIB;
/** One target read (src/tunnel/agent/target-reader.ts). */
const STREAM_HELD_BOUND = 16 * KIB;
const CPU_BOUND = 0.5;
const HEALTHZ_BOUND_MS = 2_000;
const RSS_BOUND = 112 * MIB;
/**
 * Growth over the last 15 s. Measured 0–4 MiB on a quiet machine, 27 MiB once while a benchmark
 * shared the two cores (V8 collected later); broken, the queue grew ~4 MiB a second, 60 MiB over
 * those 15 s. The queue counter above is the exact check; this one only says RSS is not rising.
 */
const RSS_LATE_GROWTH_BOUND = 40 * MIB;
/**
 * Resident memory per blocked stream. With every stream connected before its target sends (the
 * order the reference needs, see the test), ours measured 43.7–53.6 KiB (each holding one read,
 * 15.5 KiB, by its counter), the reference 26.7; before the fix 130–226 KiB. The example
 * was 48 KiB: ours meets it only when streams open on a connection already blocked (30.4 KiB).
 */
const PER_STREAM_BOUND = 64 * KIB;
const BLOCKED_STREAMS = 1_000;
/**
 * Resident memory per further blocked stream, once the first 1,000 have paid what a burst of
 * streams costs only once (ours only: the reference reads no frame while its writer is blocked).
 * Most of the first 1,000's figure is such one-off cost, not the streams': V8's young generation
 * growing to its maximum (7–16 MiB) and the background compiler's freed memory kept in a glibc
 * thread arena (6–14 MiB) — bench/profile/blocked-streams.ts, bench/README.md. A further stream
 * waits for its `Ok` to be queued and holds its target's first read meanwhile (in the
 * TargetReader, which the stream counters do not see): 20.6–23.7 KiB measured here, 24.4–25.3 by the
 * profile (the read 16.2 KiB, an idle stream's objects). Broken (32 KiB more held per early read,
 * uncounted): 65.2 KiB, while the first 1,000's figure stayed at 50.7.
 */
const FURTHER_STREAM_BOUND = 48 * KIB;
const FURTHER_STREAMS = 2_000;

/** Our CLI with its metrics endpoint on a free loopback port. */
const OURS: AgentImplementation = {
  name: OUR_AGENT_CLI.name,
  command: [...OUR_AGENT_CLI.command, '--metrics-address', '127.0.0.1:0'],
};

const FLOODS: readonly Flood[] = [PING_FLOOD, WINDOW_UPDATE_FLOOD, OPEN_AND_HALF_CLOSE_FLOOD, OPEN_AND_RESET_FLOOD];

/** Floods `connection` with `flood` until it closes or `over()` says the attack is over. */
async function floodUntil(connection: HostileConnection, flood: Flood, over: () => boolean): Promise<void> {
  let id = 0;
  const next = (): number => (id += 2);
  // A send waits for the socket to drain: once the agent stops reading, the flood waits in the
  // kernel's buffers (and in the agent, if it keeps reading) until the connection is dropped.
  while (!over() && !connection.isClosed()) {
    if (!(await connection.send(flood.batch(next)))) return;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Attack {
  readonly gateway: HostileGateway;
  /** Ends the attack: connections still open are dropped, later ones are left alone. */
  end(): void;
}

/** A gateway that stops reading after each Hello and runs `behave` while the attack lasts. */
async function neverReadingGateway(behave: (connection: HostileConnection) => Promise<void>): Promise<Attack> {
  let over = false;
  const gateway = await hostileGateway(cleanups, async (connection) => {
    await helloOn(connection);
    if (over) return; // after the attack: a quiet gateway, the agent's Hello is all we want
    connection.stopReading();
    await behave(connection);
  });
  return {
    gateway,
    end() {
      over = true;
      for (const connection of gateway.connections) connection.socket.destroy();
    },
  };
}

/** After the attack the agent is not stuck: it connects again and says Hello. */
async function connectsAgain(gateway: HostileGateway): Promise<void> {
  const before = gateway.connections.length;
  await waitUntil(() => gateway.connections.length > before, 'the agent to connect again', 60_000);
  const latest = gateway.connections.at(-1);
  if (latest === undefined) throw new Error('unreachable');
  await helloOn(latest);
}

function expectCountersWithinBounds(metrics: AgentMetricsSample): void {
  expect(metrics.queuedBytesPeak, 'bytes queued toward the gateway, at most').toBeLessThanOrEqual(QUEUE_BOUND);
  expect(metrics.framesReadWhileBlocked, 'frames parsed while the queue was over its bound').toBe(0);
  expect(metrics.streamQueuedBytesPeak, 'bytes one stream held for the gateway, at most').toBeLessThanOrEqual(
    STREAM_HELD_BOUND,
  );
}

describe.each([REFERENCE_AGENT, OURS])('a gateway that stops reading, against $name', (implementation) => {
  const ours = implementation === OURS;

  it.each(FLOODS)(
    'floods $name for 25 s: bounded queue, CPU and memory, responsive, connects again afterwards',
    async (flood) => {
      const attack = await neverReadingGateway((connection) => floodUntil(connection, flood, () => false));
      const agent = await runAgent(cleanups, implementation, attack.gateway.port, { logFilter: 'info' });
      const metricsUrl = ours ? metricsUrlOf(await agent.waitForOutput(/metrics: /)) : undefined;
      await waitUntil(() => attack.gateway.connections.length > 0, 'the agent to connect');
      const first = attack.gateway.connections[0];
      if (first === undefined) throw new Error('unreachable');
      await helloOn(first);
      const pid = agent.child.pid ?? 0;
      const watch = watchProcess({
        pid,
        ...(metricsUrl === undefined ? {} : { healthzUrl: healthzUrlOf(metricsUrl) }),
      });
      await sleep(SETTLED_MS);
      const rssSettled = memoryOf(pid)?.rss ?? 0;
      await sleep(ATTACK_MS - SETTLED_MS);
      const seen = await watch.stop();
      const metrics = metricsUrl === undefined ? null : await agentMetrics(metricsUrl);
      attack.end();
      console.log(
        `${implementation.name}, ${flood.name}: ${seen.cores.toFixed(2)} cores, RSS +${((seen.rssMax - seen.rssBefore) / MIB).toFixed(1)} MiB` +
          ` (last 15 s +${((seen.rssMax - rssSettled) / MIB).toFixed(1)} MiB), slowest /healthz ${seen.slowestHealthzMs?.toFixed(0) ?? '-'} ms` +
          (metrics === null
            ? ''
            : `, queue peak ${(metrics.queuedBytesPeak / KIB).toFixed(0)} KiB, read pauses ${metrics.readPauses}`),
      );

      if (metrics !== null) expectCountersWithinBounds(metrics);
      // The reference parses floods that need no answer at whatever rate they come (0.8 cores for
      // streams opened and reset at once): recorded above, bounded for ours only.
      if (ours) expect(seen.cores, 'CPU, cores').toBeLessThan(CPU_BOUND);
      if (ours) {
        expect(seen.healthzProbes).toBeGreaterThan(10);
        expect(seen.slowestHealthzMs, 'slowest /healthz, ms').toBeLessThan(HEALTHZ_BOUND_MS);
      }
      expect(seen.rssMax - seen.rssBefore, 'RSS growth over the attack').toBeLessThan(RSS_BOUND);
      expect(seen.rssMax - rssSettled, 'RSS growth over its last 15 s').toBeLessThan(RSS_LATE_GROWTH_BOUND);
      await connectsAgain(attack.gateway);
      expect(agent.child.exitCode).toBeNull();
    },
    120_000,
  );

  it(`${BLOCKED_STREAMS.toLocaleString('en-US')} streams relaying a target that sends without pause: at most one read held per stream, ${PER_STREAM_BOUND / KIB} KiB of memory per blocked stream`, async () => {
    const chunk = Buffer.alloc(64 * KIB, 0x42);
    // The target sends only once every stream has reached it: the reference stops reading frames
    // while its writer is blocked (yamux 0.10 awaits its sink), so streams opened after the first
    // ones blocked it would never be read, let alone connected (seen: 'every stream to reach the
    // target' timed out in CI). Ours would read them; the same order serves both.
    const WARM_UP = 100;
    let warmedUp = 0;
    let sending = false;
    const waiting: (() => void)[] = [];
    const target = await startTarget((socket: net.Socket) => {
      const send = (): void => {
        while (!socket.destroyed && socket.write(chunk));
        if (!socket.destroyed) socket.once('drain', send);
      };
      // The first WARM_UP connections send a little and stay idle, below what blocks the writer.
      if (warmedUp < WARM_UP) {
        warmedUp += 1;
        socket.write(chunk.subarray(0, 512));
      } else if (sending) send();
      else waiting.push(send);
    });
    cleanups.push(() => target.close());
    const startSending = (): void => {
      sending = true;
      for (const send of waiting.splice(0)) send();
    };
    // 100 streams first (the agent's code and pools warmed up), then the 1,000 measured.
    let openMore: () => void = () => undefined;
    const more = new Promise<void>((resolve) => (openMore = resolve));
    let openFurther: () => void = () => undefined;
    const further = new Promise<void>((resolve) => (openFurther = resolve));
    const open = (connection: HostileConnection, from: number, count: number): Promise<boolean> =>
      connection.send(
        Buffer.concat(
          Array.from({ length: count }, (_, i) =>
            frame(FrameType.Data, Flag.SYN, 2 + 2 * (from + i), connectFrame(target.port)),
          ),
        ),
      );
    const attack = await neverReadingGateway(async (connection) => {
      await open(connection, 0, WARM_UP);
      await more;
      await open(connection, WARM_UP, BLOCKED_STREAMS);
      await further;
      await open(connection, WARM_UP + BLOCKED_STREAMS, FURTHER_STREAMS);
    });
    const agent = await runAgent(cleanups, implementation, attack.gateway.port, { logFilter: 'info' });
    const metricsUrl = ours ? metricsUrlOf(await agent.waitForOutput(/metrics: /)) : undefined;
    const pid = agent.child.pid ?? 0;
    await waitUntil(() => target.connections.length >= WARM_UP, 'the first streams to reach the target', 60_000);
    await sleep(3_000);
    const before = memoryOf(pid);
    openMore();
    const watch = watchProcess({ pid, ...(metricsUrl === undefined ? {} : { healthzUrl: healthzUrlOf(metricsUrl) }) });
    await waitUntil(
      () => target.connections.length >= WARM_UP + BLOCKED_STREAMS,
      'every stream to reach the target',
      60_000,
    );
    startSending();
    // Idle from here (every stream blocked): V8's memory reducer collects what the setups left.
    await sleep(12_000);
    const after = memoryOf(pid);
    // Ours reads frames on the blocked connection: further streams open, connect and block at once.
    let afterFurther: typeof after = null;
    if (ours) {
      openFurther();
      await waitUntil(
        () => target.connections.length >= WARM_UP + BLOCKED_STREAMS + FURTHER_STREAMS,
        'every further stream to reach the target',
        60_000,
      );
      await sleep(12_000);
      afterFurther = memoryOf(pid);
    }
    const seen = await watch.stop();
    const metrics = metricsUrl === undefined ? null : await agentMetrics(metricsUrl);
    attack.end();
    if (before === null || after === null) throw new Error('no /proc');
    const perStream = (after.rss - before.rss) / BLOCKED_STREAMS;
    const perFurtherStream = afterFurther === null ? null : (afterFurther.rss - after.rss) / FURTHER_STREAMS;
    console.log(
      `${implementation.name}, ${BLOCKED_STREAMS} blocked streams: ${(perStream / KIB).toFixed(1)} KiB each, ${seen.cores.toFixed(2)} cores` +
        (perFurtherStream === null
          ? ''
          : `, ${FURTHER_STREAMS} further blocked streams: ${(perFurtherStream / KIB).toFixed(1)} KiB each`) +
        (metrics === null
          ? ''
          : `, streams hold ${(metrics.streamQueuedBytes / MIB).toFixed(1)} MiB (at most ${(metrics.streamQueuedBytesPeak / KIB).toFixed(0)} KiB each), queue peak ${(metrics.queuedBytesPeak / KIB).toFixed(0)} KiB`),
    );

    if (metrics !== null) {
      expectCountersWithinBounds(metrics);
      const streams = WARM_UP + BLOCKED_STREAMS + FURTHER_STREAMS;
      expect(metrics.streamsOpen).toBe(streams);
      expect(metrics.streamQueuedBytes).toBeLessThanOrEqual(streams * STREAM_HELD_BOUND);
    }
    expect(perStream, 'resident memory per blocked stream').toBeLessThan(PER_STREAM_BOUND);
    if (ours) expect(perFurtherStream, 'resident memory per further blocked stream').toBeLessThan(FURTHER_STREAM_BOUND);
    expect(seen.cores, 'CPU, cores').toBeLessThan(CPU_BOUND);
    if (ours) expect(seen.slowestHealthzMs, 'slowest /healthz, ms').toBeLessThan(HEALTHZ_BOUND_MS);
    await connectsAgain(attack.gateway);
    expect(agent.child.exitCode).toBeNull();
  }, 180_000);
});

describe('our agent and a gateway that stops reading: the ping deadline', () => {
  it('ends the connection by its own deadline (ping-frequency 2 s) while Pings flood in, and connects again', async () => {
    const attack = await neverReadingGateway((connection) => floodUntil(connection, FLOODS[0] as Flood, () => false));
    const agent = await runAgent(cleanups, OURS, attack.gateway.port, { pingFrequency: '2s', logFilter: 'info' });
    await waitUntil(() => attack.gateway.connections.length > 0, 'the agent to connect');
    // No Pong can come (nothing is read): a quiet period sends Client::Ping, the next one gives up,
    // and the graceful close is bounded (5 s) — a new connection within ~10 s, well inside 30 s.
    const started = performance.now();
    await agent.waitForOutput(/no pong from server|error sending message to server|failed to answer server message/, {
      timeoutMs: 30_000,
    });
    await waitUntil(() => attack.gateway.connections.length >= 2, 'a second connection', 30_000);
    console.log(`our agent: a new connection ${((performance.now() - started) / 1000).toFixed(1)} s into the flood`);
    attack.end();
    await connectsAgain(attack.gateway);
    expect(agent.child.exitCode).toBeNull();
  }, 90_000);
});

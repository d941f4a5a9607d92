/**
 * The gateway dies in the middle of a transfer, again and again. The agent must notice, back off
 * on the reference schedule (an immediate attempt, then 2, 4, 8, 16, 32, 64, 64 … s; PROTOCOL.md
 * §7.2), come back online every time, and let go of everything the dead connection held: its
 * sockets, timers and listeners return to the baseline after each reconnect.
 *
 * 100 kills run in process on real sockets, with the engine's clock injected so that the backoff
 * waits are stepped rather than slept (each round makes the agent fail 1 to 8 times before the
 * gateway is back, so every step of the schedule is taken many times). A few kills of a real
 * `cluvio-gateway serve` process (SIGKILL) with our agent as a process follow, on real time.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MuxStream } from '../../src/tunnel/mux/index.js';
import { parseAgentConfig } from '../../src/tunnel/config/agent-config.js';
import { startGatewayFixture, waitUntil } from '../support/gateway-fixture.js';
import { OUR_AGENT_CLI, spawnAgent } from '../support/reference-agent.js';
import { startAgent } from '../unit/agent/support/agent-harness.js';
import { ManualClock } from '../unit/agent/support/manual-clock.js';
import { echoTarget } from '../unit/agent/support/targets.js';
import { until } from '../unit/agent/support/wait.js';
import { GATEWAY_CLI, freePort, initGateway, serveGateway } from './support/gateway-process.js';
import { startKillSwitch } from './support/kill-switch.js';
import { activeResources, differences, growth, listenerCounts } from './support/resources.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The reference's waits after an Accepted connection is lost: the first attempt is immediate. */
const BACKOFF_MS = [2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 64_000, 64_000];

/** Writes 16 KiB chunks as fast as the stream takes them until it fails; reads what comes back. */
function pump(stream: MuxStream): { readonly echoed: () => number } {
  let echoed = 0;
  const chunk = Buffer.alloc(16 * 1024, 0x5a);
  stream.on('error', () => undefined);
  stream.on('data', (data: Buffer) => {
    echoed += data.length;
  });
  const write = (): void => {
    while (!stream.destroyed && !stream.writableEnded) {
      if (!stream.write(chunk)) {
        stream.once('drain', write);
        return;
      }
    }
  };
  write();
  return { echoed: () => echoed };
}

describe('gateway killed mid-transfer (in process, stepped clock)', () => {
  it('100 kills in a row: reconnects every time on the backoff schedule; sockets, timers and listeners back to baseline each time', async () => {
    const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
    cleanups.push(() => fixture.close());
    const killSwitch = await startKillSwitch(fixture.port);
    cleanups.push(() => killSwitch.close());
    const echo = await echoTarget();
    cleanups.push(() => echo.close());
    const keys = fixture.addAgent('crash-test');
    const clock = new ManualClock();
    const config = parseAgentConfig(
      fixture.agentConfigToml(keys, { port: killSwitch.port, allowedAddresses: ['127.0.0.0/8'] }),
      { file: null, env: {} },
    );
    const h = startAgent(config, { clock }, cleanups);
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    cleanups.push(() => {
      process.off('warning', onWarning);
      return Promise.resolve();
    });

    await fixture.gateway.waitForAgent(keys.agentId);
    await h.reached('online');
    const settled = (): boolean =>
      killSwitch.live() === 1 &&
      h.agent.snapshot().counters.streamsOpen === 0 &&
      fixture.gateway.connections().length === 1;
    await until(settled, 'one idle connection');
    const emitters = { process, agent: h.agent, gateway: fixture.gateway };
    const baseline = { resources: activeResources(), listeners: listenerCounts(emitters) };

    const observed: number[][] = [];
    const expected: number[][] = [];
    for (let round = 1; round <= 100; round += 1) {
      // A transfer in flight: bytes moving both ways through the agent to the echo target.
      const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${echo.port}`, { halfClose: true });
      const transfer = pump(stream);
      await until(() => transfer.echoed() > 64 * 1024, `round ${round}: the transfer to be under way`);

      const failures = 1 + ((round - 1) % BACKOFF_MS.length);
      const statesBefore = h.states.length;
      await killSwitch.kill(round % 2 === 0 ? 'reset' : 'close');
      const waits: number[] = [];
      for (let i = 0; i < failures; i += 1) {
        const delay = BACKOFF_MS[i] ?? 0;
        await until(
          () => h.agent.snapshot().state.phase === 'backing-off' && clock.pendingDelays().includes(delay),
          `round ${round}: wait ${i + 1} (${delay} ms)`,
        );
        const state = h.agent.snapshot().state;
        if (state.phase === 'backing-off') waits.push(state.nextAttemptAt - clock.now());
        if (i === failures - 1) await killSwitch.revive();
        clock.advance(delay);
      }
      observed.push(waits);
      expected.push(BACKOFF_MS.slice(0, failures));
      await h.reached('online', statesBefore);
      await until(settled, `round ${round}: the agent back online with one idle connection`);
      await until(
        () => growth(baseline.resources, activeResources()).length === 0,
        `round ${round}: handles back to baseline`,
      ).catch(() => undefined);
      expect(growth(baseline.resources, activeResources()), `round ${round}: handles`).toEqual([]);
      expect(differences(baseline.listeners, listenerCounts(emitters)), `round ${round}: listeners`).toEqual([]);
      // The engine's own timers run on the injected clock: online and idle, only the ping timer is left.
      expect(clock.pendingDelays(), `round ${round}: engine timers`).toEqual([config.pingFrequencyMs]);
    }

    expect(observed).toEqual(expected);
    expect(h.agent.snapshot().counters.reconnects).toBe(100);
    expect(killSwitch.accepted()).toBe(101);
    // Every transfer in flight ended with its connection; none is left open or half-counted.
    expect(h.agent.snapshot().counters).toMatchObject({ streamsOpen: 0, streamsTotal: 100 });
    const waitLines = h.logs.filter((r) => r.message.startsWith('waiting ')).map((r) => r.message);
    expect(waitLines).toHaveLength(expected.flat().length);
    expect(waitLines.slice(0, 3)).toEqual([
      'waiting 2s before connecting ...',
      'waiting 2s before connecting ...',
      'waiting 4s before connecting ...',
    ]);
    expect(warnings.map((w) => w.message)).toEqual([]);
  }, 240_000);
});

// ---- a real gateway process, killed with SIGKILL -------------------------------------------------

/** Open file descriptors of a process (Linux /proc), or null where there is no /proc. */
function openFds(pid: number): number | null {
  const dir = `/proc/${pid}/fd`;
  return existsSync(dir) ? readdirSync(dir).length : null;
}

describe('gateway process killed mid-transfer (real processes, real time)', () => {
  it('SIGKILL of `cluvio-gateway serve` three times: our agent process reconnects each time (immediate attempt, then 2 s) and holds no more descriptors than before', async () => {
    if (!existsSync(GATEWAY_CLI)) throw new Error(`${GATEWAY_CLI} is missing: run \`npm run build\` first`);
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-kill-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const routePort = await freePort();
    const echo = await echoTarget();
    cleanups.push(() => echo.close());
    const { gatewayToml, agentToml } = await initGateway(
      dir,
      port,
      `[[route]]\nlisten = "127.0.0.1:${routePort}"\nagent = "agent"\ntarget = "127.0.0.1:${echo.port}"\nhalf-close = true\n`,
    );
    const startGateway = async (): Promise<ChildProcess> => {
      const served = await serveGateway(gatewayToml, dir);
      const child = served.child;
      cleanups.push(async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'close');
        }
      });
      accepted = served.waitFor(/agent accepted/);
      return child;
    };
    let accepted: Promise<void> = Promise.resolve();

    let gateway = await startGateway();
    const agent = await spawnAgent(OUR_AGENT_CLI, agentToml);
    cleanups.push(() => agent.stop());
    await agent.waitForOutput(/up and running/);
    const pid = agent.child.pid ?? 0;
    await accepted;
    const baselineFds = openFds(pid);

    for (let kill = 1; kill <= 3; kill += 1) {
      // A client streams through the route: bytes in flight when the gateway dies.
      const client = net.connect({ host: '127.0.0.1', port: routePort });
      client.on('error', () => undefined);
      let echoed = 0;
      client.on('data', (data: Buffer) => (echoed += data.length));
      const timer = setInterval(() => client.write(Buffer.alloc(8 * 1024, 1)), 5);
      await waitUntil(() => echoed > 32 * 1024, `kill ${kill}: the transfer to be under way`);
      const from = agent.output().length;
      gateway.kill('SIGKILL');
      await once(gateway, 'close');
      clearInterval(timer);
      client.destroy();
      await agent.waitForOutput(/failed to connect to localhost/, { from });
      gateway = await startGateway();
      await agent.waitForOutput(/INFO cluvio_agent::agent: connected to server/, { from, timeoutMs: 30_000 });
      await accepted;
      const lines = agent.output().slice(from).split('\n');
      // The loss, an immediate attempt that finds no gateway, then waits from 2 s up (the restart
      // may take longer than 2 s on a busy machine: then 4 s, 8 s … follow, never a longer first wait).
      const waits = lines.map((l) => /waiting (\S+) before connecting/.exec(l)?.[1]).filter((w) => w !== undefined);
      expect(waits.length).toBeGreaterThan(0);
      expect(waits).toEqual(['2s', '4s', '8s', '16s', '32s', '1m 4s'].slice(0, waits.length));
      expect(lines.findIndex((l) => /waiting 2s/.test(l))).toBeGreaterThan(
        lines.findIndex((l) => /failed to connect to localhost/.test(l)),
      );
      if (baselineFds !== null)
        await waitUntil(
          () => (openFds(pid) ?? 0) <= baselineFds,
          `kill ${kill}: the agent's descriptors back to ${baselineFds}`,
        );
    }
    expect(agent.count(/INFO cluvio_agent::agent: connected to server/)).toBe(4);
    expect(agent.child.exitCode).toBeNull();
  }, 120_000);
});

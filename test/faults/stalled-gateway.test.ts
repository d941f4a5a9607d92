/**
 * The gateway stalls: its TCP connection stays open but it neither reads nor writes any more
 * (a hung process, a dead NAT entry that still swallows packets, a half-dead load balancer).
 * Nothing on the socket says so; only the agent's own ping (PROTOCOL.md §7.3) can tell: after a
 * quiet `ping-frequency` it pings, after a second one without Pong it gives up on the
 * connection, closes it (bounded: the graceful close cannot block on a peer that does not read)
 * and connects again — while a transfer on the stalled connection is stuck in the middle.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../src/tunnel/config/agent-config.js';
import { nextGatewayEvent, startGatewayFixture, waitUntil } from '../support/gateway-fixture.js';
import { type AgentImplementation, OUR_AGENT_CLI, REFERENCE_AGENT, spawnAgent } from '../support/reference-agent.js';
import { startAgent } from '../unit/agent/support/agent-harness.js';
import { ManualClock } from '../unit/agent/support/manual-clock.js';
import { startTarget } from '../unit/agent/support/targets.js';
import { until } from '../unit/agent/support/wait.js';
import { startKillSwitch } from './support/kill-switch.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A target that sends without end (a big query result), counting the connections it served. */
async function firehose(): Promise<{ port: number; closed: () => number; close(): Promise<void> }> {
  let closed = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x42);
  const target = await startTarget((socket: net.Socket) => {
    socket.on('close', () => (closed += 1));
    const send = (): void => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once('drain', send);
    };
    send();
  });
  return { port: target.port, closed: () => closed, close: () => target.close() };
}

describe('a stalled gateway connection (in process, stepped clock)', () => {
  it('no Pong within two quiet ping-frequency periods → the agent reconnects; the transfer stuck on the stalled connection is torn down', async () => {
    const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
    cleanups.push(() => fixture.close());
    const stall = await startKillSwitch(fixture.port);
    cleanups.push(() => stall.close());
    const target = await firehose();
    cleanups.push(() => target.close());
    const keys = fixture.addAgent();
    const clock = new ManualClock();
    const config = parseAgentConfig(
      fixture.agentConfigToml(keys, { port: stall.port, pingFrequency: '45s', allowedAddresses: ['127.0.0.0/8'] }),
      { file: null, env: {} },
    );
    const h = startAgent(config, { clock }, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    await h.reached('online');

    // A download in flight, then the gateway stops reading and writing.
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target.port}`, { halfClose: true });
    stream.on('error', () => undefined);
    let received = 0;
    stream.on('data', (data: Buffer) => (received += data.length));
    await until(() => received > 512 * 1024, 'the download to be under way');
    stream.pause();
    stall.freeze();
    const next = nextGatewayEvent(fixture.gateway, 'agent-accepted', (event) => event.connectionId !== first.id);

    await until(() => clock.pendingDelays().includes(45_000), 'the ping timer');
    clock.advance(45_000); // quiet period 1: Client::Ping goes out, into the stalled socket
    await until(() => clock.pendingDelays().includes(45_000), 'the ping sent and the timer re-armed');
    clock.advance(45_000); // quiet period 2: no Pong → give up on the connection
    await h.logged('no pong from server');
    // The graceful close cannot finish against a peer that does not read; the 5 s bound ends it.
    await until(
      () =>
        clock.pendingDelays().includes(5_000) ||
        h.agent.snapshot().state.phase === 'connecting' ||
        h.agent.snapshot().state.phase === 'authenticating',
      'the graceful close',
    );
    if (clock.pendingDelays().includes(5_000)) clock.advance(5_000);

    const second = await next;
    await h.reached('online', h.states.findIndex((s) => s.phase === 'online') + 1);
    expect(second.connectionId).not.toBe(first.id);
    expect(h.agent.snapshot().counters.reconnects).toBe(1);
    // The stuck transfer ended with its connection, and the target's socket was closed.
    await until(
      () => h.agent.snapshot().counters.streamsOpen === 0 && target.closed() === 1,
      'the stuck stream and its target socket to close',
    );
    expect(h.logs.filter((r) => r.message.startsWith('waiting '))).toEqual([]); // Accepted had reset the backoff
    // The new connection works.
    const fresh = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target.port}`, { halfClose: true });
    let freshBytes = 0;
    fresh.on('data', (data: Buffer) => (freshBytes += data.length));
    await until(() => freshBytes > 64 * 1024, 'data on the new connection');
    fresh.destroy();
  }, 60_000);
});

describe.each([REFERENCE_AGENT, OUR_AGENT_CLI])(
  'a stalled gateway connection: $name (process, ping-frequency 1s)',
  (implementation: AgentImplementation) => {
    it('logs "no pong from server" and connects again', async () => {
      const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
      cleanups.push(() => fixture.close());
      const stall = await startKillSwitch(fixture.port);
      cleanups.push(() => stall.close());
      const keys = fixture.addAgent();
      const agent = await spawnAgent(
        implementation,
        fixture.agentConfigToml(keys, { port: stall.port, pingFrequency: '1s' }),
      );
      cleanups.push(() => agent.stop());
      const first = await fixture.gateway.waitForAgent(keys.agentId);
      await waitUntil(
        () => (fixture.gateway.agents()[0]?.connections.find((c) => c.id === first.id)?.clientPingsAnswered ?? 0) >= 1,
        'a ping answered before the stall',
      );
      const next = nextGatewayEvent(
        fixture.gateway,
        'agent-accepted',
        (event) => event.connectionId !== first.id,
        60_000,
      );
      const from = agent.output().length;
      stall.freeze();
      await agent.waitForOutput(/WARN cluvio_agent::agent: no pong from server/, { from, timeoutMs: 30_000 });
      const second = await next;
      expect(second.connectionId).not.toBe(first.id);
      await agent.waitForOutput(/connected to server/, { from });
      expect(agent.child.exitCode).toBeNull();
    }, 90_000);
  },
);

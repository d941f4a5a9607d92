/**
 * Fast recovery (`AgentEngine.checkConnection`) against the reference gateway over real TLS:
 * a connection that went silently dead (the gateway holds the socket but answers no Ping) is
 * replaced as soon as the check's short deadline passes, long before `ping-frequency` (20 s
 * here) would notice; a live one is left alone; a wait before the next attempt ends at once.
 *
 * The injected clock drives the check's deadline, the ping cadence and the backoff, so "before
 * the ping period" is an ordering on that clock: the deadline is the only timer that fires. On
 * the real clock, the time to Online again is asserted below half of ping-frequency: without the
 * check the agent would wait for its regular Ping to go unanswered (one to two periods), so the
 * bound trips, and it does so before the test's timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { CONNECTION_CHECK_TIMEOUT_MS } from '../../../src/tunnel/agent/connection-check.js';
import { parseAgentConfig, type AgentConfig } from '../../../src/tunnel/config/agent-config.js';
import { type GatewayFixture, nextGatewayEvent, quietGatewayFixture } from '../../support/gateway-fixture.js';
import { startAgent } from './support/agent-harness.js';
import { ManualClock } from './support/manual-clock.js';
import { closedPort } from './support/targets.js';
import { until } from './support/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PING_FREQUENCY_MS = 20_000;

function configFor(fixture: GatewayFixture, keys = fixture.addAgent()): AgentConfig {
  return parseAgentConfig(fixture.agentConfigToml(keys, { pingFrequency: `${PING_FREQUENCY_MS / 1000}s` }), {
    file: null,
    env: {},
  });
}

describe('agent engine: checkConnection (fast recovery after sleep or a network change)', () => {
  it('a silently dead connection is replaced once the check deadline passes, with no ping period elapsed', async () => {
    const clock = new ManualClock();
    const fixture = await quietGatewayFixture(cleanups, { faults: { ignoreClientPings: true } });
    const keys = fixture.addAgent();
    const h = startAgent(configFor(fixture, keys), { clock }, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    await h.reached('online');
    const started = clock.now();
    const before = h.states.length;
    const replaced = nextGatewayEvent(fixture.gateway, 'agent-accepted', (event) => event.connectionId !== first.id);

    h.agent.checkConnection('system resumed');
    await h.logged('checking the connection to the gateway');
    await until(() => clock.pendingDelays().includes(CONNECTION_CHECK_TIMEOUT_MS), 'the check deadline');
    expect(h.agent.snapshot().state.phase).toBe('online');
    clock.advance(CONNECTION_CHECK_TIMEOUT_MS);

    const second = await replaced;
    expect(second.agentId).toBe(keys.agentId);
    await h.reached('online', before);
    // Online again on the new connection while the clock moved by the deadline only.
    expect(clock.now() - started).toBe(CONNECTION_CHECK_TIMEOUT_MS);
    expect(clock.now() - started).toBeLessThan(PING_FREQUENCY_MS / 2);
    expect(h.states.slice(before).map((s) => s.phase)).toEqual(['connecting', 'authenticating', 'online']);
    const failed = await h.logged('connection check failed: no pong in time, reconnecting now');
    expect(failed).toMatchObject({ level: 'warn', fields: { reason: 'system resumed' } });
    expect(h.agent.metrics()).toMatchObject({
      reconnects: { 'connection-check': 1, 'no-pong': 0 },
      connectionChecks: { passed: 0, failed: 1 },
    });
    expect(h.agent.snapshot().counters.reconnects).toBe(1);
  });

  it(
    'on the real clock: Online again through a new connection within half the 20 s ping period',
    async () => {
      const fixture = await quietGatewayFixture(cleanups, { faults: { ignoreClientPings: true } });
      const keys = fixture.addAgent();
      const h = startAgent(configFor(fixture, keys), {}, cleanups);
      const first = await fixture.gateway.waitForAgent(keys.agentId);
      await h.reached('online');
      const before = h.states.length;
      // Waits long enough for the regular ping's verdict (two periods), so that an agent that
      // ignored the check fails on the time below rather than on this wait.
      const replaced = nextGatewayEvent(
        fixture.gateway,
        'agent-accepted',
        (event) => event.connectionId !== first.id,
        2 * PING_FREQUENCY_MS + 5_000,
      );
      const started = performance.now();
      h.agent.checkConnection('network changed');
      const second = await replaced;
      await h.reached('online', before);
      const elapsed = performance.now() - started;
      console.log(
        `connection check: dead connection, check → Online again in ${(elapsed / 1000).toFixed(2)} s (deadline ${CONNECTION_CHECK_TIMEOUT_MS / 1000} s, ping-frequency ${PING_FREQUENCY_MS / 1000} s)`,
      );
      expect(second.connectionId).not.toBe(first.id);
      // Through the check's deadline (a timer may fire a millisecond early on the real clock).
      expect(elapsed).toBeGreaterThan(CONNECTION_CHECK_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(PING_FREQUENCY_MS / 2);
    },
    2 * PING_FREQUENCY_MS + 30_000,
  );

  it('a live connection answers the check and is kept (no reconnect)', async () => {
    const clock = new ManualClock();
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const h = startAgent(configFor(fixture, keys), { clock }, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    await h.reached('online');
    const before = h.states.length;
    h.agent.checkConnection('screen unlocked');
    const passed = await h.logged('connection check passed');
    expect(passed).toMatchObject({ level: 'info', fields: { reason: 'screen unlocked' } });
    // The deadline timer is gone with the Pong: nothing fires when the clock moves past it.
    expect(clock.pendingDelays()).not.toContain(CONNECTION_CHECK_TIMEOUT_MS);
    clock.advance(CONNECTION_CHECK_TIMEOUT_MS);
    expect(h.states.length).toBe(before);
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(first.id);
    expect(h.agent.metrics()).toMatchObject({
      connectionChecks: { passed: 1, failed: 0 },
      reconnects: { 'connection-check': 0 },
    });
    expect(h.agent.snapshot().counters.pingRttMs).not.toBeNull();
  });

  it('two checks in a row share one Ping and one verdict', async () => {
    const clock = new ManualClock();
    const fixture = await quietGatewayFixture(cleanups, { faults: { ignoreClientPings: true } });
    const keys = fixture.addAgent();
    const h = startAgent(configFor(fixture, keys), { clock }, cleanups);
    await h.reached('online');
    const before = h.states.length;
    h.agent.checkConnection('system resumed');
    h.agent.checkConnection('screen unlocked');
    await h.logged('checking the connection to the gateway');
    await until(() => clock.pendingDelays().includes(CONNECTION_CHECK_TIMEOUT_MS), 'the check deadline');
    expect(clock.pendingDelays().filter((delay) => delay === CONNECTION_CHECK_TIMEOUT_MS)).toHaveLength(1);
    clock.advance(CONNECTION_CHECK_TIMEOUT_MS);
    await h.reached('online', before);
    expect(h.logs.filter((r) => r.message === 'checking the connection to the gateway')).toHaveLength(1);
    expect(h.agent.metrics().reconnects['connection-check']).toBe(1);
  });

  it('while waiting to retry, a check ends the wait: the agent connects with the clock standing still', async () => {
    const clock = new ManualClock();
    const port = await closedPort();
    const keys = generateKeyPair();
    const h = startAgent(
      parseAgentConfig(
        `secret-key = "${keys.secretKey.exportBase64url()}"\nping-frequency = "10m"\n[server]\nhost = "localhost"\nport = ${port}\n`,
        { file: null, env: {} },
      ),
      { clock },
      cleanups,
    );
    await h.reached('backing-off');
    await until(() => clock.pendingDelays().includes(2_000), 'the 2 s backoff');
    const before = h.states.length;
    const started = clock.now();
    h.agent.checkConnection('network changed');
    await h.reached('connecting', before);
    expect(clock.now()).toBe(started);
    await h.logged('connecting now instead of waiting');
    // Still nothing there: the next failure backs off again, the counter kept (4 s, not 2 s).
    await until(() => clock.pendingDelays().includes(4_000), 'the 4 s backoff');
    expect(h.agent.metrics().connectFailures).toBe(2);
  });

  it('is ignored once the agent has stopped', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const h = startAgent(configFor(fixture), {}, cleanups);
    await h.reached('online');
    await h.agent.stop();
    const states = h.states.length;
    h.agent.checkConnection('system resumed');
    expect(h.states.length).toBe(states);
    expect(h.logs.some((r) => r.message === 'checking the connection to the gateway')).toBe(false);
  });
});

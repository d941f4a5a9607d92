/**
 * "Reconnect now", a failed attempt's cause, and a disabled agent's log, on the engine in process
 * against the reference gateway (real TLS 1.3 and yamux on 127.0.0.1) behind a kill switch that
 * makes the gateway look dead and then restarted. The engine's clock is stepped, so the backoff
 * waits never pass by themselves: whatever ends one early is `reconnectNow`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentState } from '../../../src/shared/agent-state.js';
import { parseAgentConfig } from '../../../src/tunnel/config/agent-config.js';
import { startKillSwitch } from '../../faults/support/kill-switch.js';
import { quietGatewayFixture } from '../../support/gateway-fixture.js';
import { startAgent } from './support/agent-harness.js';
import { ManualClock } from './support/manual-clock.js';
import { startTarget } from './support/targets.js';
import { until } from './support/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The reference's waits once an accepted connection is lost: immediate, then 2, 4 … 64 s. */
const WAITS_MS = [2_000, 4_000, 8_000, 16_000, 32_000, 64_000];

describe('reconnectNow', () => {
  it('ends a 64 s backoff wait at once: online again with the clock never moved past the wait', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const killSwitch = await startKillSwitch(fixture.port);
    cleanups.push(() => killSwitch.close());
    const keys = fixture.addAgent();
    const clock = new ManualClock();
    const config = parseAgentConfig(fixture.agentConfigToml(keys, { port: killSwitch.port }), { file: null, env: {} });
    const h = startAgent(config, { clock }, cleanups);
    await h.reached('online');
    expect(h.agent.reconnectNow('test')).toBe('online');

    // The gateway dies; the agent fails and waits 2, 4, … until the wait is 64 s.
    await killSwitch.kill('reset');
    for (const wait of WAITS_MS) {
      await until(
        () => h.agent.snapshot().state.phase === 'backing-off' && clock.pendingDelays().includes(wait),
        `the ${wait} ms wait`,
      );
      if (wait < 64_000) clock.advance(wait);
    }
    const waiting = h.agent.snapshot().state;
    if (waiting.phase !== 'backing-off') throw new Error(`expected backing-off, got ${waiting.phase}`);
    expect(waiting.nextAttemptAt - clock.now()).toBe(64_000);
    expect(h.agent.snapshot().counters.lastError).toMatchObject({ code: 'ECONNREFUSED', viaProxy: false });

    // The gateway is back; the user asks to reconnect now.
    await killSwitch.revive();
    const before = h.states.length;
    const startedAt = clock.now();
    expect(h.agent.reconnectNow('requested in a test')).toBe('connecting');
    const online = (await h.reached('online', before)) as Extract<AgentState, { phase: 'online' }>;
    // The engine's own clock: not a millisecond of the 64 s wait passed.
    expect(online.since).toBe(startedAt);
    expect(clock.now()).toBeLessThan(waiting.nextAttemptAt);
    expect(
      h.logs.some(
        (r) => r.message === 'connecting now instead of waiting' && r.fields.reason === 'requested in a test',
      ),
    ).toBe(true);
    await fixture.gateway.waitForAgent(keys.agentId);
    // Accepted resets the schedule as always: the next loss retries at once.
    expect(h.agent.reconnectNow('again')).toBe('online');
  });

  it('leaves an attempt in flight alone, and does nothing once the agent is stopped', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const clock = new ManualClock();
    // A port that accepts TCP but never answers TLS: the attempt stays in flight (the clock holds its timeout).
    const silent = await startTarget();
    cleanups.push(() => silent.close());
    const config = parseAgentConfig(fixture.agentConfigToml(keys, { port: silent.port }), { file: null, env: {} });
    const h = startAgent(config, { clock }, cleanups);
    await h.reached('connecting');
    await silent.nextConnection();
    expect(h.agent.reconnectNow('test')).toBe('already-connecting');
    await h.agent.stop();
    expect(h.agent.reconnectNow('test')).toBe('not-running');
  });
});

describe('a disabled agent in the log', () => {
  it('says so once (warn, then what happens next at info); the 5 s retries only at debug; enabling it is said at info', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent('paused', 'disabled');
    const clock = new ManualClock();
    const config = parseAgentConfig(fixture.agentConfigToml(keys), { file: null, env: {} });
    const h = startAgent(config, { clock }, cleanups);
    const waitingDisabled = (): boolean =>
      h.agent.snapshot().state.phase === 'disabled' && clock.pendingDelays().includes(5_000);
    for (let round = 0; round < 4; round += 1) {
      await until(waitingDisabled, 'the 5 s wait after Terminate{Disabled}');
      const before = h.states.length;
      clock.advance(5_000);
      await h.reached('connecting', before);
    }
    await until(waitingDisabled, 'the fifth wait');
    const terminated = h.logs.filter((r) => r.message === 'connection terminated by gateway');
    expect(terminated.length).toBeGreaterThanOrEqual(5);
    expect(terminated.map((r) => r.level)).toEqual(['warn', ...terminated.slice(1).map(() => 'debug')]);
    const shown = h.logs.filter((r) => r.level === 'error' || r.level === 'warn' || r.level === 'info');
    expect(shown.map((r) => `${r.level} ${r.message}`)).toEqual([
      `info connected to server: localhost:${fixture.port}`,
      'info up and running',
      'warn connection terminated by gateway',
      'info this agent is disabled in Cluvio: checking every 5s until it is enabled (each check is logged at debug level)',
    ]);

    fixture.registry.setStatus(keys.agentId, 'enabled');
    const before = h.states.length;
    clock.advance(5_000);
    await h.reached('online', before);
    expect(h.logs.filter((r) => r.message === 'the gateway accepted the agent: it is enabled again')).toHaveLength(1);
    expect(h.logs.filter((r) => r.level === 'error')).toEqual([]);
  });
});

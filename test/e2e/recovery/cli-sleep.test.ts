/**
 * Fast recovery in the CLI, with a real pause of the process: SIGSTOP holds `cluvio-agent` for
 * longer than its ping-frequency (as a suspended laptop would), SIGCONT lets it run again. Its
 * clock-jump detector notices the gap and the engine checks its connection to the real gateway
 * at once, with a Ping that must be answered within 5 s:
 *
 * - a live connection answers it and is kept;
 * - a silently dead one (the gateway holds the socket but answers no Ping, as a connection whose
 *   peer vanished while the laptop slept) is dropped when the deadline passes and the agent is
 *   Online again on a new connection. Without the check it would only notice when its next
 *   regular Ping went unanswered, a full ping-frequency after it resumed: the time from SIGCONT
 *   to Online is asserted below half of ping-frequency (20 s here), a bound that the regular
 *   ping path cannot meet and that trips well before the test's timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Cleanups, startOurAgent } from '../../support/agent-fixture.js';
import { nextGatewayEvent, startGatewayFixture } from '../../support/gateway-fixture.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('cluvio-agent after a pause longer than ping-frequency', () => {
  it('checks its connection as soon as it runs again', async () => {
    const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
    cleanups.push(() => fixture.close());
    const keys = fixture.addAgent();
    const agent = await startOurAgent(fixture, keys, { pingFrequency: '2s' }, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    await agent.waitForOutput(/up and running/);
    const before = agent.output().length;

    agent.child.kill('SIGSTOP');
    await sleep(3_500);
    agent.child.kill('SIGCONT');

    const line = await agent.waitForOutput(
      /INFO cluvio_agent::agent: checking the connection to the gateway reason=clock jumped \d+\.\d s \(the machine slept or the process was paused\)/,
      { from: before },
    );
    const gap = Number(/clock jumped (\d+\.\d) s/.exec(line)?.[1]);
    expect(gap).toBeGreaterThan(2);
    await agent.waitForOutput(/INFO cluvio_agent::agent: connection check passed reason=clock jumped/, {
      from: before,
    });
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(first.id);
  });

  const PING_FREQUENCY_MS = 20_000;
  // Longer than ping-frequency, the clock-jump threshold.
  const PAUSE_MS = PING_FREQUENCY_MS + 1_500;

  it(
    'a connection that died during the pause is replaced at once: Online again well within half a ping period of SIGCONT',
    async () => {
      const fixture = await startGatewayFixture({ pingIntervalMs: 0, faults: { ignoreClientPings: true } });
      cleanups.push(() => fixture.close());
      const keys = fixture.addAgent();
      // At trace level the agent logs the Accepted it reads: Online, not just accepted by the gateway.
      const agent = await startOurAgent(fixture, keys, { pingFrequency: `${PING_FREQUENCY_MS / 1000}s` }, cleanups, {
        logFilter: 'cluvio_agent=trace',
      });
      const first = await fixture.gateway.waitForAgent(keys.agentId);
      const accepted = /TRACE cluvio_agent::agent: received message .*data=Some\(Accepted\)/;
      await agent.waitForOutput(accepted);
      const before = agent.output().length;
      // Waits up to two periods after the pause (and a margin), so that an agent without the check
      // is still seen coming back (after its regular Ping went unanswered) and fails on the time.
      const replaced = nextGatewayEvent(
        fixture.gateway,
        'agent-accepted',
        (event) => event.agentId === keys.agentId && event.connectionId !== first.id,
        PAUSE_MS + 2 * PING_FREQUENCY_MS + 5_000,
      );

      agent.child.kill('SIGSTOP');
      await sleep(PAUSE_MS);
      agent.child.kill('SIGCONT');
      const resumed = performance.now();

      const second = await replaced;
      await agent.waitForOutput(accepted, { from: before });
      const timeToOnlineMs = performance.now() - resumed;
      console.log(
        `cli-sleep: dead connection, SIGCONT → Online on a new connection in ${(timeToOnlineMs / 1000).toFixed(2)} s (ping-frequency ${PING_FREQUENCY_MS / 1000} s)`,
      );
      expect(second.connectionId).not.toBe(first.id);
      expect(timeToOnlineMs).toBeLessThan(PING_FREQUENCY_MS / 2);

      await agent.waitForOutput(
        /INFO cluvio_agent::agent: checking the connection to the gateway reason=clock jumped \d+\.\d s/,
        { from: before },
      );
      await agent.waitForOutput(
        /WARN cluvio_agent::agent: connection check failed: no pong in time, reconnecting now reason=clock jumped/,
        { from: before },
      );
      expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(second.connectionId);
    },
    PAUSE_MS + 2 * PING_FREQUENCY_MS + 40_000,
  );
});

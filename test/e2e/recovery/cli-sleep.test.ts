/**
 * Fast recovery in the CLI, with a real pause of the process: SIGSTOP holds `cluvio-agent` for
 * longer than its ping-frequency (as a suspended laptop would), SIGCONT lets it run again. Its
 * clock-jump detector notices the gap and the engine checks its connection to the real gateway
 * at once (a Ping that the gateway answers, so the connection is kept).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Cleanups, startOurAgent } from '../../support/agent-fixture.js';
import { startGatewayFixture } from '../../support/gateway-fixture.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

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
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    agent.child.kill('SIGCONT');

    const line = await agent.waitForOutput(/INFO cluvio_agent::agent: checking the connection to the gateway reason=clock jumped \d+\.\d s \(the machine slept or the process was paused\)/, { from: before });
    const gap = Number(/clock jumped (\d+\.\d) s/.exec(line)?.[1]);
    expect(gap).toBeGreaterThan(2);
    await agent.waitForOutput(/INFO cluvio_agent::agent: connection check passed reason=clock jumped/, { from: before });
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(first.id);
  });
});

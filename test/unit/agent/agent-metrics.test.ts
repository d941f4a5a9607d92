/**
 * The engine's monitoring counters (`AgentEngine.metrics()`) from real streams through the
 * reference gateway: connect latency observed once per opened stream, failures counted by the
 * code the gateway was told, reconnects by cause.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentMetrics, CONNECT_LATENCY_BUCKETS, streamFailureCode } from '../../../src/tunnel/agent/agent-metrics.js';
import { parseAgentConfig } from '../../../src/tunnel/config/agent-config.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { startAgent } from './support/agent-harness.js';
import { closedPort, echoTarget, readToEnd } from './support/targets.js';
import { until } from './support/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(): Promise<GatewayFixture> {
  const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
  cleanups.push(() => fixture.close());
  return fixture;
}

describe('engine metrics from real streams', () => {
  it('counts connect latency per opened stream and failures by code', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent();
    const target = await echoTarget();
    cleanups.push(() => target.close());
    const refusedPort = await closedPort();
    const config = parseAgentConfig(fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }), {
      file: null,
      env: {},
    });
    const h = startAgent(config, {}, cleanups);
    await fixture.gateway.waitForAgent(keys.agentId);

    for (let i = 0; i < 3; i += 1) {
      const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target.port}`, { halfClose: true });
      stream.end(`hello ${i}`);
      expect((await readToEnd(stream)).toString()).toBe(`hello ${i}`);
    }
    await expect(fixture.gateway.test(keys.agentId, `127.0.0.1:${refusedPort}`)).resolves.toMatchObject({ ok: false });
    await expect(fixture.gateway.openStream(keys.agentId, `127.0.0.1:${refusedPort}`)).rejects.toThrow();
    await expect(fixture.gateway.openStream(keys.agentId, '10.9.9.9:5432')).rejects.toThrow();
    await expect(fixture.gateway.openStream(keys.agentId, '10.9.9.9:5432')).rejects.toThrow();
    await until(
      () => h.agent.snapshot().counters.streamsFailed === 3 && h.agent.snapshot().counters.streamsOpen === 0,
      'every stream closed',
    );

    const metrics = h.agent.metrics();
    expect(metrics.streamFailures).toEqual({ AddressNotAllowed: 2, CouldNotConnect: 1, TransferError: 0 });
    expect(metrics.targetConnectSeconds.count).toBe(3);
    expect(metrics.targetConnectSeconds.cumulative.at(-1)).toBe(3);
    expect(metrics.targetConnectSeconds.bounds).toEqual(CONNECT_LATENCY_BUCKETS);
    expect(metrics.targetConnectSeconds.sum).toBeGreaterThanOrEqual(0);
    expect(Object.values(metrics.reconnects).every((count) => count === 0)).toBe(true);
  });

  it('counts a reconnect after the gateway asked to switch connections', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent();
    const h = startAgent(parseAgentConfig(fixture.agentConfigToml(keys), { file: null, env: {} }), {}, cleanups);
    await fixture.gateway.waitForAgent(keys.agentId);
    await fixture.gateway.switchConnection(keys.agentId);
    await until(() => h.agent.metrics().reconnects.switch === 1, 'the switch counted');
    expect(h.agent.snapshot().counters.reconnects).toBe(1);
  });
});

describe('metrics recorder', () => {
  it('puts each latency into the first bucket that holds it; the histogram is cumulative', () => {
    const metrics = new AgentMetrics();
    metrics.targetConnected(0);
    metrics.targetConnected(3);
    metrics.targetConnected(40);
    metrics.targetConnected(120_000);
    const histogram = metrics.snapshot().targetConnectSeconds;
    const at = (bound: number): number | undefined => histogram.cumulative[histogram.bounds.indexOf(bound)];
    expect(at(0.001)).toBe(1);
    expect(at(0.0025)).toBe(1);
    expect(at(0.005)).toBe(2);
    expect(at(0.05)).toBe(3);
    expect(at(30)).toBe(3);
    expect(histogram.count).toBe(4);
    expect(histogram.sum).toBeCloseTo(120.043, 6);
  });

  it('reads the failure code from the text the data stream closes with', () => {
    expect(streamFailureCode('address not allowed')).toBe('AddressNotAllowed');
    expect(streamFailureCode('could not connect: i/o error: connection refused')).toBe('CouldNotConnect');
    expect(streamFailureCode('reset by the gateway')).toBe('TransferError');
  });
});

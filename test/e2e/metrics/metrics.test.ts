/**
 * `cluvio-agent --metrics-address`: the process as a user runs it, scraped over HTTP like
 * Prometheus and a readiness probe would, while data flows through a real gateway to a real TCP
 * target. The text is parsed strictly (support/prometheus-text.ts): HELP/TYPE for every family,
 * counters named `_total`, cumulative histogram buckets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { type Cleanups } from '../../support/agent-fixture.js';
import { type GatewayFixture, startGatewayFixture, waitUntil } from '../../support/gateway-fixture.js';
import { listenLoopback } from '../../support/loopback.js';
import { type AgentProcess, OUR_AGENT_CLI, spawnAgent } from '../../support/reference-agent.js';
import { type Exposition, parsePrometheusText } from './support/prometheus-text.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(): Promise<GatewayFixture> {
  const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
  cleanups.push(() => fixture.close());
  return fixture;
}

async function startWithMetrics(
  fixture: GatewayFixture,
  keys: KeyPair,
  args: readonly string[] = ['--metrics-address', '127.0.0.1:0'],
  config = {},
): Promise<{ agent: AgentProcess; base: string }> {
  const agent = await spawnAgent(
    { name: 'cluvio-agent --metrics-address', command: [...OUR_AGENT_CLI.command, ...args] },
    fixture.agentConfigToml(keys, config),
  );
  cleanups.push(() => agent.stop());
  const line = await agent.waitForOutput(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
  const url = /metrics: (http:\/\/\S+)\/metrics/.exec(line)?.[1];
  if (url === undefined) throw new Error(`no metrics URL in ${line}`);
  return { agent, base: url };
}

async function scrape(base: string): Promise<{ text: string; exposition: Exposition; contentType: string | null }> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, exposition: parsePrometheusText(text), contentType: response.headers.get('content-type') };
}

/** Scrapes until `holds` is true of the exposition (or gives up after a while and returns the last). */
async function scrapeUntil(base: string, holds: (e: Exposition) => boolean): Promise<Exposition> {
  let last = (await scrape(base)).exposition;
  for (let attempt = 0; attempt < 300 && !holds(last); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = (await scrape(base)).exposition;
  }
  return last;
}

async function echoTarget(): Promise<number> {
  const { server, port } = await listenLoopback((socket) => socket.pipe(socket));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return port;
}

describe('health and metrics endpoint of cluvio-agent', () => {
  it('scraped while data flows: streams, bytes, connect latency and failures by code move as traffic does', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent();
    const { agent, base } = await startWithMetrics(fixture, keys, ['--metrics-address', '127.0.0.1:0'], {
      allowedAddresses: ['127.0.0.1/32'],
      pingFrequency: '1s',
    });
    await fixture.gateway.waitForAgent(keys.agentId);
    await agent.waitForOutput(/up and running/);

    const first = await scrape(base);
    expect(first.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const e0 = first.exposition;
    expect(e0.value('cluvio_agent_online')).toBe(1);
    expect(e0.value('cluvio_agent_state', { state: 'online' })).toBe(1);
    expect(e0.value('cluvio_agent_state', { state: 'backing_off' })).toBe(0);
    expect(
      e0.value('cluvio_agent_info', { version: '0.1.0', agent_id: keys.agentId, server: `localhost:${fixture.port}` }),
    ).toBe(1);
    expect(e0.value('cluvio_agent_connected_since_seconds')).toBeGreaterThan(1_600_000_000);
    expect(e0.value('cluvio_agent_streams_total')).toBe(0);
    expect(first.text).not.toContain(keys.secretKey.exportBase64url());

    // A stream held open with data flowing both ways while we scrape.
    const echo = await echoTarget();
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${echo}`, { halfClose: true });
    let echoed = 0;
    stream.on('data', (chunk: Buffer) => (echoed += chunk.length));
    const chunk = Buffer.alloc(64 * 1024, 7);
    const scrapes: Exposition[] = [];
    for (let round = 1; round <= 5; round += 1) {
      stream.write(chunk);
      await waitUntil(() => echoed >= round * chunk.length, `echo round ${round}`);
      scrapes.push((await scrape(base)).exposition);
    }
    for (const e of scrapes) {
      expect(e.value('cluvio_agent_streams_open')).toBe(1);
      expect(e.value('cluvio_agent_streams_total')).toBe(1);
    }
    const sent = scrapes.map((e) => e.value('cluvio_agent_target_sent_bytes_total') ?? -1);
    const received = scrapes.map((e) => e.value('cluvio_agent_target_received_bytes_total') ?? -1);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(sent.at(-1)).toBeGreaterThanOrEqual(5 * chunk.length);
    expect(received.at(-1)).toBeGreaterThanOrEqual(5 * chunk.length);
    expect(scrapes.at(-1)?.value('cluvio_agent_target_connect_seconds_count')).toBe(1);
    expect(scrapes.at(-1)?.value('cluvio_agent_target_connect_seconds_bucket', { le: '+Inf' })).toBe(1);
    stream.end();
    await new Promise((resolve) => stream.once('close', resolve));

    // Refusals, counted by the code the gateway was told.
    await expect(fixture.gateway.openStream(keys.agentId, '10.1.2.3:5432')).rejects.toThrow();
    const after = await scrapeUntil(
      base,
      (e) =>
        e.value('cluvio_agent_streams_failed_total', { code: 'AddressNotAllowed' }) === 1 &&
        e.value('cluvio_agent_streams_open') === 0,
    );
    expect(after.value('cluvio_agent_streams_failed_total', { code: 'AddressNotAllowed' })).toBe(1);
    expect(after.value('cluvio_agent_streams_failed_total', { code: 'CouldNotConnect' })).toBe(0);
    expect(after.value('cluvio_agent_streams_total')).toBe(2);

    // With the traffic over, the agent's own ping (ping-frequency 1 s) reports its round trip.
    const rtt = (await scrapeUntil(base, (e) => e.value('cluvio_agent_ping_rtt_seconds') !== undefined)).value(
      'cluvio_agent_ping_rtt_seconds',
    );
    expect(rtt).toBeGreaterThanOrEqual(0);
  });

  it('counts a reconnect by its cause', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent();
    const { base } = await startWithMetrics(fixture, keys);
    await fixture.gateway.waitForAgent(keys.agentId);
    await fixture.gateway.switchConnection(keys.agentId);
    const e = await scrapeUntil(base, (x) => x.value('cluvio_agent_reconnects_total', { cause: 'switch' }) === 1);
    expect(e.value('cluvio_agent_reconnects_total', { cause: 'switch' })).toBe(1);
    expect(e.value('cluvio_agent_reconnects_total', { cause: 'no_pong' })).toBe(0);
  });

  it('/healthz answers while the process runs; /readyz is 503 until the gateway accepts the agent, then 200', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent('paused', 'disabled');
    const { agent, base } = await startWithMetrics(fixture, keys);
    await agent.waitForOutput(/connection terminated by gateway .*reason=Disabled/);
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    let ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe('not ready: Disabled by Cluvio (disabled)\n');
    fixture.registry.setStatus(keys.agentId, 'enabled');
    await fixture.gateway.waitForAgent(keys.agentId, { timeoutMs: 20_000 });
    for (let attempt = 0; attempt < 200; attempt += 1) {
      ready = await fetch(`${base}/readyz`);
      if (ready.status === 200) break;
      await ready.text();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
  });

  it('refuses a foreign Host header (DNS rebinding) and unknown paths', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent();
    const { base } = await startWithMetrics(fixture, keys);
    const port = new URL(base).port;
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/metrics', headers: { host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it('refuses a non-loopback address (exit 2) and reports a port in use (exit 1)', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent();
    const open = await spawnAgent(
      { name: 'cluvio-agent', command: [...OUR_AGENT_CLI.command, '--metrics-address', '0.0.0.0:9464'] },
      fixture.agentConfigToml(keys),
    );
    cleanups.push(() => open.stop());
    expect(await open.exited).toEqual({ code: 2, signal: null });
    expect(open.stderr()).toContain(
      'the metrics endpoint listens on loopback only, and 0.0.0.0 is not a loopback address',
    );

    const { server, port } = await listenLoopback(() => undefined);
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const taken = await spawnAgent(
      { name: 'cluvio-agent', command: [...OUR_AGENT_CLI.command, '--metrics-address', `127.0.0.1:${port}`] },
      fixture.agentConfigToml(keys),
    );
    cleanups.push(() => taken.stop());
    expect(await taken.exited).toEqual({ code: 1, signal: null });
    expect(taken.stderr()).toContain(`metrics: cannot listen on 127.0.0.1:${port}`);
  });

  it('with --dashboard too: the metrics follow the agent behind the dashboard', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent();
    const { base } = await startWithMetrics(fixture, keys, ['--dashboard', '--metrics-address', '127.0.0.1:0']);
    await fixture.gateway.waitForAgent(keys.agentId);
    const e = await scrapeUntil(base, (x) => x.value('cluvio_agent_online') === 1);
    expect(e.value('cluvio_agent_online')).toBe(1);
    expect(
      e.value('cluvio_agent_info', { version: '0.1.0', agent_id: keys.agentId, server: `localhost:${fixture.port}` }),
    ).toBe(1);
  });
});

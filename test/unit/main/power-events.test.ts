/**
 * The desktop app's fast recovery, through the entry point Electron's listeners call: a
 * `powerMonitor` 'resume' reaches the real host and engine, whose connection to a real gateway
 * has gone silently dead (the gateway holds the socket but answers no Ping). The agent must be
 * Online again on a new connection within half of its ping-frequency (20 s here): without the
 * check it would wait for its regular Ping to go unanswered (one to two periods), so the bound
 * trips, and before the test's timeout.
 */
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { POWER_EVENT_REASONS, watchPowerEvents, type PowerMonitorSurface } from '../../../src/main/power-events.js';
import { nextGatewayEvent, startGatewayFixture, waitUntil } from '../../support/gateway-fixture.js';
import { confinedConfigBinding, confinedHost } from '../host/support/unconfigured-host.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PING_FREQUENCY_MS = 20_000;
const PING_FREQUENCY = `${PING_FREQUENCY_MS / 1000}s`;

/** The real host and engine, configured in a private folder, connected to a real gateway (which may answer no Ping). */
async function hostConnectedTo(options: { readonly ignoreClientPings: boolean }) {
  const fixture = await startGatewayFixture({
    pingIntervalMs: 0,
    ...(options.ignoreClientPings ? { faults: { ignoreClientPings: true } } : {}),
  });
  cleanups.push(() => fixture.close());
  const keys = fixture.addAgent();
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-power-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const target = confinedConfigBinding(dir).userConfigPath();
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, fixture.agentConfigToml(keys, { pingFrequency: PING_FREQUENCY }), { mode: 0o600 });
  const host = confinedHost(dir);
  cleanups.push(() => host.close());
  await host.start();
  const first = await fixture.gateway.waitForAgent(keys.agentId);
  return { fixture, host, first };
}

class FakePowerMonitor extends EventEmitter implements PowerMonitorSurface {}

describe('powerMonitor events → connection check', () => {
  it(
    'resume: a silently dead connection is replaced and the agent is Online again within half a ping period',
    async () => {
      const { fixture, host, first } = await hostConnectedTo({ ignoreClientPings: true });
      await waitUntil(() => host.snapshot().state.phase === 'online', 'online');

      const monitor = new FakePowerMonitor();
      const stop = watchPowerEvents(monitor, host);
      // Waits long enough for the regular ping's verdict (two periods), so that a resume that
      // checked nothing fails on the time below rather than on this wait.
      const replaced = nextGatewayEvent(
        fixture.gateway,
        'agent-accepted',
        (event) => event.connectionId !== first.id,
        2 * PING_FREQUENCY_MS + 5_000,
      );
      const started = performance.now();
      monitor.emit('resume');
      await replaced;
      await waitUntil(
        () => host.snapshot().state.phase === 'online' && host.snapshot().counters.reconnects === 1,
        'online again',
      );
      const elapsed = performance.now() - started;
      console.log(
        `power events: dead connection, 'resume' → Online again in ${(elapsed / 1000).toFixed(2)} s (ping-frequency ${PING_FREQUENCY})`,
      );
      expect(elapsed).toBeLessThan(PING_FREQUENCY_MS / 2);
      expect(host.metrics()?.reconnects['connection-check']).toBe(1);
      const logs = await host.getLogs({ level: 'info', text: 'connection check' });
      expect(logs.at(-1)).toMatchObject({
        level: 'warn',
        message: 'connection check failed: no pong in time, reconnecting now',
        fields: { reason: POWER_EVENT_REASONS.resume },
      });

      stop();
      expect(monitor.listenerCount('resume')).toBe(0);
      expect(monitor.listenerCount('unlock-screen')).toBe(0);
    },
    2 * PING_FREQUENCY_MS + 30_000,
  );

  it('unlock-screen on a live connection: checked and kept', async () => {
    const { fixture, host, first } = await hostConnectedTo({ ignoreClientPings: false });
    const monitor = new FakePowerMonitor();
    watchPowerEvents(monitor, host);
    monitor.emit('unlock-screen');
    await waitUntil(() => host.metrics()?.connectionChecks.passed === 1, 'the check passed');
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(first.id);
    expect(host.snapshot().counters.reconnects).toBe(0);
  });
});

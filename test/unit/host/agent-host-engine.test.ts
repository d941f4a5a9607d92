/**
 * The host on the real tunnel engine, connected to a real gateway (TLS 1.3, yamux, the agent
 * protocol) on 127.0.0.1: what the tray app and the dashboard show comes from here.
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../../src/host/agent-host.js';
import type { AgentSnapshot, StreamInfo } from '../../../src/shared/agent-state.js';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { closedLoopbackPort } from './support/offline-config.js';
import { confinedHost, TEST_APP_VERSION } from './support/unconfigured-host.js';

const WAIT = { timeout: 30_000, interval: 20 };

/** A TCP echo server on 127.0.0.1 (a stand-in database: whatever comes in goes back out). */
async function startEcho(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

describe('AgentHost on the tunnel engine, connected to a real gateway', () => {
  let dir: string;
  let file: string;
  let fixture: GatewayFixture;
  let keys: KeyPair;
  let host: AgentHost<AgentConfig>;
  let echo: Awaited<ReturnType<typeof startEcho>>;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-host-engine-'));
    await mkdir(path.join(dir, 'config'), { recursive: true });
    file = path.join(dir, 'config', 'cluvio-agent.toml');
    fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
    keys = fixture.addAgent('host-test');
    echo = await startEcho();
    await writeFile(file, fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }), { mode: 0o600 });
    host = confinedHost(dir);
  });

  afterEach(async () => {
    await host.close();
    await fixture.close();
    for (const socket of echo.sockets) socket.destroy();
    await new Promise((resolve) => echo.server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('goes online with the agent ID of the file; the gateway has accepted that agent; logs carry it, never the key', async () => {
    const seen: AgentSnapshot[] = [];
    host.onSnapshot((snapshot) => seen.push(snapshot));
    await host.start();
    await expect.poll(() => host.snapshot().state.phase, WAIT).toBe('online');
    const snapshot = host.snapshot();
    expect(snapshot).toMatchObject({
      version: TEST_APP_VERSION,
      config: { agentId: keys.agentId, path: file },
      state: { phase: 'online', server: `localhost:${fixture.port}` },
    });
    expect((await fixture.gateway.waitForAgent(keys.agentId)).phase).toBe('accepted');
    // Subscribers saw the way there, not only the end.
    expect(seen.map((s) => s.state.phase)).toEqual(expect.arrayContaining(['connecting', 'online']));
    const logs = await host.getLogs({ level: 'trace', text: '' });
    expect(logs.some((r) => r.message === 'up and running' && r.fields.agent === keys.agentId)).toBe(true);
    expect(JSON.stringify([seen, logs])).not.toContain(keys.secretKey.exportBase64url());
  });

  it('a stream through the tunnel is listed with its target, bytes both ways and its close', async () => {
    await host.start();
    await fixture.gateway.waitForAgent(keys.agentId);
    const tables: (readonly StreamInfo[])[] = [];
    host.onStreams((streams) => tables.push(streams));

    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${echo.port}`);
    stream.on('data', () => undefined);
    stream.write(Buffer.alloc(1000, 1));
    await expect.poll(async () => (await host.getStreams()).at(0)?.bytesFromTarget, WAIT).toBe(1000);
    const [open] = await host.getStreams();
    expect(open).toMatchObject({
      target: `127.0.0.1:${echo.port}`,
      resolved: `127.0.0.1:${echo.port}`,
      phase: 'open',
      bytesToTarget: 1000,
    });
    // More bytes count up in the same row.
    stream.write(Buffer.alloc(500, 2));
    await expect.poll(async () => (await host.getStreams()).at(0)?.bytesToTarget, WAIT).toBe(1500);
    await expect.poll(() => tables.at(-1)?.at(0)?.bytesFromTarget, WAIT).toBe(1500);
    expect(host.snapshot().counters).toMatchObject({ streamsOpen: 1, streamsTotal: 1 });

    stream.destroy();
    await expect.poll(async () => (await host.getStreams()).at(0)?.phase, WAIT).toBe('closed');
    await expect.poll(() => host.snapshot().counters.streamsOpen, WAIT).toBe(0);
  });

  it('an imported configuration restarts the engine: online again as the new agent, the old one gone from the gateway', async () => {
    await host.start();
    await fixture.gateway.waitForAgent(keys.agentId);
    const next = fixture.addAgent('host-test-2');
    const result = await host.importConfig({ fileName: 'cluvio-agent (1).toml', text: fixture.agentConfigToml(next) });
    // The import resolves once the gateway has answered: accepted, so online already.
    expect(result).toMatchObject({
      ok: true,
      change: { status: 'confirmed', path: file, config: { agentId: next.agentId } },
    });
    expect(host.snapshot().state.phase).toBe('online');
    expect(host.snapshot().config).toMatchObject({ agentId: next.agentId, path: file });
    await fixture.gateway.waitForAgent(next.agentId);
    await expect.poll(() => fixture.gateway.agents().find((a) => a.id === keys.agentId)?.online, WAIT).toBe(false);
    expect(await host.getLogs({ level: 'info', text: 'configuration imported' })).toHaveLength(1);
  });

  it('a permanent Terminate shows as terminated with the gateway’s reason, and the agent stays down', async () => {
    await host.start();
    await fixture.gateway.waitForAgent(keys.agentId);
    fixture.gateway.terminate(keys.agentId, 'Unauthorized');
    await expect
      .poll(() => host.snapshot().state, WAIT)
      .toEqual({ phase: 'terminated', reason: 'Unauthorized', message: 'unauthorized agent' });
    expect(host.snapshot().counters.lastError?.message).toBe('terminated by gateway: unauthorized agent');
  });

  it('address tests go through the engine: the allowlist first, then a real TCP connect', async () => {
    await host.start();
    expect(await host.testAddress(`127.0.0.1:${echo.port}`)).toMatchObject({
      ok: true,
      resolved: `127.0.0.1:${echo.port}`,
    });
    expect(await host.testAddress('10.1.2.3:5432')).toMatchObject({ ok: false, code: 'AddressNotAllowed' });
    expect(await host.testAddress(`127.0.0.1:${await closedLoopbackPort()}`)).toMatchObject({
      ok: false,
      code: 'CouldNotConnect',
    });
  });
});

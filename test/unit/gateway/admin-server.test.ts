/** The loopback admin API over real HTTP: its token and Host checks, and each request against a live gateway. */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, AdminClientError } from '../../../src/gateway/admin-client.js';
import { type AdminServer, parseReason, startAdminServer } from '../../../src/gateway/admin-server.js';
import type { AgentInfo, RouteInfo, TestResult } from '../../../src/gateway/index.js';
import { LogHub } from '../../../src/tunnel/log/index.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  onRegistryChanged?: () => Promise<void>,
): Promise<{ fixture: GatewayFixture; admin: AdminServer; client: AdminClient }> {
  const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
  cleanups.push(() => fixture.close());
  const admin = await startAdminServer({
    gateway: fixture.gateway,
    log: new LogHub().logger('test'),
    ...(onRegistryChanged === undefined ? {} : { onRegistryChanged }),
  });
  cleanups.push(() => admin.close());
  return { fixture, admin, client: new AdminClient({ url: admin.url, token: admin.token }) };
}

function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/agents`, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('admin API', () => {
  it('refuses requests without the token, with a wrong one, or for a non-loopback Host', async () => {
    const { admin } = await setup();
    expect(await rawGet(admin.url, {})).toBe(401);
    expect(await rawGet(admin.url, { authorization: `Bearer ${admin.token.slice(1)}x` })).toBe(401);
    expect(await rawGet(admin.url, { authorization: `Bearer ${admin.token}`, host: 'attacker.example:80' })).toBe(403);
    expect(await rawGet(admin.url, { authorization: `Bearer ${admin.token}` })).toBe(200);
  });

  it('refuses to listen anywhere but on loopback', async () => {
    const fixture = await startGatewayFixture();
    cleanups.push(() => fixture.close());
    await expect(
      startAdminServer({ gateway: fixture.gateway, listen: { host: '0.0.0.0' }, log: new LogHub().logger('test') }),
    ).rejects.toThrow(/loopback only/);
  });

  it('lists agents, tests through a connected agent, and maps gateway errors to statuses', async () => {
    const { fixture, client } = await setup();
    const keys = fixture.addAgent('scripted');
    const agent = await ScriptedAgent.connect(fixture);
    cleanups.push(() => agent.close());
    await agent.handshake(keys);

    const agents = await client.get<AgentInfo[]>('agents');
    expect(agents).toMatchObject([{ id: keys.agentId, name: 'scripted', online: true }]);

    const testing = client.post<TestResult>('agents/scripted/test', { target: '10.0.0.1:5432' });
    const test = await agent.expect('Test');
    await agent.send({ type: 'Test', re: test.id, code: 'AddressNotAllowed' });
    expect(await testing).toEqual({ ok: false, code: 'AddressNotAllowed' });

    await expect(client.post('agents/nobody/test', { target: '10.0.0.1:1' })).rejects.toMatchObject({
      status: 404,
      code: 'UNKNOWN_AGENT',
    });
    await expect(client.post('agents/scripted/test', {})).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_REQUEST',
    });
    await expect(client.post('agents/scripted/terminate', { reason: 'bored' })).rejects.toMatchObject({ status: 400 });
    const offline = fixture.addAgent('offline');
    await expect(client.post(`agents/${offline.agentId}/switch`)).rejects.toMatchObject({
      status: 409,
      code: 'AGENT_NOT_CONNECTED',
    });
    await expect(client.get('nothing')).rejects.toBeInstanceOf(AdminClientError);
  });

  it('adds, lists and removes routes; status changes are persisted through the hook', async () => {
    let persisted = 0;
    const { fixture, client } = await setup(() => {
      persisted += 1;
      return Promise.resolve();
    });
    const keys = fixture.addAgent('db');
    const route = await client.post<RouteInfo>('routes', { agent: 'db', target: '127.0.0.1:5432', halfClose: true });
    expect(route).toMatchObject({ agent: keys.agentId, target: '127.0.0.1:5432', halfClose: true, host: '127.0.0.1' });
    expect(route.port).toBeGreaterThan(0);
    expect(await client.get<RouteInfo[]>('routes')).toHaveLength(1);
    await client.delete(`routes/${route.id}`);
    expect(await client.get<RouteInfo[]>('routes')).toEqual([]);
    await expect(client.delete(`routes/${route.id}`)).rejects.toMatchObject({ status: 404 });

    const disabled = await client.post<AgentInfo>('agents/db/status', { status: 'disabled' });
    expect(disabled.status).toBe('disabled');
    expect(fixture.registry.get(keys.agentId)?.status).toBe('disabled');
    expect(persisted).toBe(1);
  });

  it('reads Terminate reasons the way operators type them', () => {
    expect(
      ['unauthorized', 'Unauthorized', 'unsupported-version', 'UNSUPPORTED_VERSION', 'disabled'].map(parseReason),
    ).toEqual(['Unauthorized', 'Unauthorized', 'UnsupportedVersion', 'UnsupportedVersion', 'Disabled']);
    expect(parseReason('bored')).toBeNull();
  });
});

/**
 * The gateway's control-stream handling, driven by the real reference agent (Rust 1.3.0):
 * TLS 1.3, Hello → Challenge → Response → Accepted, pings both ways, and every Terminate
 * reason with what the agent does about it (exit 1 with its message, or retry every 5 s).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { nextGatewayEvent, quietGatewayFixture, waitUntil } from '../../support/gateway-fixture.js';
import { type AgentProcess, REFERENCE_AGENT, spawnAgent } from '../../support/reference-agent.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function referenceAgent(configToml: string): Promise<AgentProcess> {
  const agent = await spawnAgent(REFERENCE_AGENT, configToml);
  cleanups.push(() => agent.stop());
  return agent;
}

describe('reference agent ↔ gateway: control stream', () => {
  it('connects over TLS 1.3, proves its key and is Accepted', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent('warehouse');
    const accepted = nextGatewayEvent(fixture.gateway, 'agent-accepted');
    const agent = await referenceAgent(fixture.agentConfigToml(keys));

    const event = await accepted;
    expect(event).toMatchObject({
      agentId: keys.agentId,
      name: 'warehouse',
      agentVersion: '1.3.0',
      replacedConnectionId: null,
    });
    await agent.waitForOutput(new RegExp(`up and running agent=${keys.agentId} version=1.3.0`));
    const [info] = fixture.gateway.agents();
    expect(info).toMatchObject({
      id: keys.agentId,
      status: 'enabled',
      online: true,
      currentConnectionId: event.connectionId,
    });
    expect(info?.connections).toHaveLength(1);
    expect(info?.connections[0]).toMatchObject({ phase: 'accepted', tlsProtocol: 'TLSv1.3', agentVersion: '1.3.0' });
  });

  it('answers Server pings with a Pong for each', async () => {
    const fixture = await quietGatewayFixture(cleanups, { pingIntervalMs: 100 });
    const keys = fixture.addAgent();
    await referenceAgent(fixture.agentConfigToml(keys));
    const connection = await fixture.gateway.waitForAgent(keys.agentId);

    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections[0]?.serverPingsAnswered ?? 0) >= 5,
      'five Server pings were answered',
    );
    const [info] = fixture.gateway.agents();
    expect(info?.currentConnectionId).toBe(connection.id);
    expect(info?.connections[0]?.lastPingRttMs).not.toBeNull();
  });

  it('gets a Pong for every Client ping, so it keeps its connection', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const agent = await referenceAgent(fixture.agentConfigToml(keys, { pingFrequency: '300ms' }));
    const connection = await fixture.gateway.waitForAgent(keys.agentId);

    // The agent gives up on the second quiet period without a Pong; four answered pings span several.
    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections[0]?.clientPingsAnswered ?? 0) >= 4,
      'four Client pings were answered',
    );
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(connection.id);
    expect(agent.output()).not.toMatch(/no pong from server/);
  });

  it('reconnects when its pings go unanswered (fault: ignoreClientPings)', async () => {
    const fixture = await quietGatewayFixture(cleanups, { faults: { ignoreClientPings: true } });
    const keys = fixture.addAgent();
    const agent = await referenceAgent(fixture.agentConfigToml(keys, { pingFrequency: '300ms' }));
    const first = await fixture.gateway.waitForAgent(keys.agentId);

    const second = await nextGatewayEvent(
      fixture.gateway,
      'agent-accepted',
      (event) => event.connectionId !== first.id,
    );
    await agent.waitForOutput(/no pong from server/);
    expect(second.agentId).toBe(keys.agentId);
  });

  it('an unknown key gets Terminate{Unauthorized}: the agent exits with status 1', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    fixture.addAgent();
    const stranger = generateKeyPair();
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const agent = await referenceAgent(fixture.agentConfigToml(stranger));

    expect(await rejected).toMatchObject({ agentId: stranger.agentId, reason: 'Unauthorized' });
    const exit = await agent.exited;
    expect(exit.code).toBe(1);
    expect(agent.stderr()).toContain('agent was terminated by gateway: unauthorized agent');
  });

  it('a challenge it cannot open (fault: corruptChallenge) gets Terminate{Unauthenticated}', async () => {
    const fixture = await quietGatewayFixture(cleanups, { faults: { corruptChallenge: true } });
    const keys = fixture.addAgent();
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const agent = await referenceAgent(fixture.agentConfigToml(keys));

    // The agent answers with the map-form Client::Error{re, code: DecryptionFailed}.
    const event = await rejected;
    expect(event).toMatchObject({ agentId: keys.agentId, reason: 'Unauthenticated' });
    expect(event.detail).toContain('DecryptionFailed');
    expect((await agent.exited).code).toBe(1);
    expect(agent.stderr()).toContain('agent was terminated by gateway: unauthenticated agent');
  });

  it('a version the gateway does not serve gets Terminate{UnsupportedVersion}', async () => {
    const fixture = await quietGatewayFixture(cleanups, {
      acceptVersion: (version) => version.major === 1n && version.minor >= 4n,
    });
    const keys = fixture.addAgent();
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const agent = await referenceAgent(fixture.agentConfigToml(keys));

    expect(await rejected).toMatchObject({ reason: 'UnsupportedVersion' });
    expect((await agent.exited).code).toBe(1);
    expect(agent.stderr()).toContain('agent was terminated by gateway: unsupported agent version');
  });

  it('a disabled agent gets Terminate{Disabled} at every connect and keeps retrying until enabled', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent('standby', 'disabled');
    const rejections: string[] = [];
    fixture.gateway.on('agent-rejected', (event) => rejections.push(event.reason));
    const agent = await referenceAgent(fixture.agentConfigToml(keys));

    await waitUntil(() => rejections.length >= 2, 'the agent came back after its first Terminate{Disabled}');
    expect(rejections.every((reason) => reason === 'Disabled')).toBe(true);
    expect(agent.output()).toMatch(/waiting 5s before connecting/);
    expect(agent.child.exitCode).toBeNull();

    fixture.gateway.setStatus(keys.agentId, 'enabled');
    await fixture.gateway.waitForAgent(keys.agentId);
  });

  it('disabling a connected agent terminates it now; it reconnects once enabled again', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const agent = await referenceAgent(fixture.agentConfigToml(keys));
    const first = await fixture.gateway.waitForAgent(keys.agentId);

    const closed = nextGatewayEvent(fixture.gateway, 'connection-closed', (event) => event.connectionId === first.id);
    fixture.gateway.setStatus(keys.agentId, 'disabled');
    await agent.waitForOutput(/connection terminated by gateway .*reason=Disabled/);
    await closed;
    expect(fixture.gateway.agents()[0]).toMatchObject({ status: 'disabled', online: false });

    const rejected = await nextGatewayEvent(fixture.gateway, 'agent-rejected');
    expect(rejected.reason).toBe('Disabled');
    fixture.gateway.setStatus(keys.agentId, 'enabled');
    const again = await fixture.gateway.waitForAgent(keys.agentId);
    expect(again.id).not.toBe(first.id);
  });

  it('removing an agent from the registry terminates it for good (Unauthorized)', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const agent = await referenceAgent(fixture.agentConfigToml(keys));
    await fixture.gateway.waitForAgent(keys.agentId);

    fixture.registry.remove(keys.agentId);
    expect((await agent.exited).code).toBe(1);
    expect(agent.stderr()).toContain('agent was terminated by gateway: unauthorized agent');
  });
});

/**
 * SwitchToNewConnection with the real reference agent (§7.4, §9.10): the agent answers
 * SwitchingConnection, opens a new connection that is authenticated and Accepted, keeps serving
 * the old connection's streams, and the gateway closes the old connection once they are done.
 */
import { once } from 'node:events';
import { type AddressInfo, type Server, connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nextGatewayEvent, startGatewayFixture, waitUntil } from '../../support/gateway-fixture.js';
import { REFERENCE_AGENT, spawnAgent } from '../../support/reference-agent.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echoServer(): Promise<number> {
  const server: Server = createServer((socket) => socket.pipe(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

describe('reference agent ↔ gateway: SwitchToNewConnection', () => {
  it('a transfer in flight completes on the old connection while the new one is Accepted', async () => {
    const fixture = await startGatewayFixture({ pingIntervalMs: 200 });
    cleanups.push(() => fixture.close());
    const keys = fixture.addAgent();
    const agent = await spawnAgent(REFERENCE_AGENT, fixture.agentConfigToml(keys));
    cleanups.push(() => agent.stop());
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    const target = await echoServer();
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `127.0.0.1:${target}` });
    cleanups.push(() => route.close());

    // A client connection whose stream runs on the first agent connection.
    const client = connect({ host: '127.0.0.1', port: route.port });
    client.setEncoding('utf8');
    let received = '';
    client.on('data', (text: string) => (received += text));
    client.write('before the switch;');
    await waitUntil(() => received === 'before the switch;', 'the first part came back');
    expect(fixture.gateway.streams().map((stream) => stream.connectionId)).toEqual([first.id]);

    const oldClosed = nextGatewayEvent(
      fixture.gateway,
      'connection-closed',
      (event) => event.connectionId === first.id,
    );
    const switched = await fixture.gateway.switchConnection(keys.agentId);
    expect(switched.previousConnectionId).toBe(first.id);
    expect(switched.currentConnectionId).not.toBe(first.id);

    // The old connection drains: still open for its stream, no longer current.
    const [info] = fixture.gateway.agents();
    expect(info?.currentConnectionId).toBe(switched.currentConnectionId);
    expect(info?.connections.find((connection) => connection.id === first.id)).toMatchObject({
      phase: 'draining',
      openStreams: 1,
    });
    expect(info?.connections.find((connection) => connection.id === switched.currentConnectionId)).toMatchObject({
      phase: 'accepted',
    });

    // The transfer goes on through the old connection, and new streams use the new one.
    client.write('after the switch');
    await waitUntil(() => received === 'before the switch;after the switch', 'the second part came back');
    const fresh = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target}`);
    expect(
      fixture.gateway
        .streams()
        .find((stream) => stream.muxStreamId === fresh.id && stream.connectionId === switched.currentConnectionId),
    ).toBeDefined();
    fresh.destroy();

    // Once its last stream is done, the gateway closes the old connection; the agent stays up.
    client.end();
    await oldClosed;
    expect(fixture.gateway.agents()[0]?.connections.map((connection) => connection.id)).toEqual([
      switched.currentConnectionId,
    ]);
    expect(fixture.gateway.agents()[0]?.connections[0]?.phase).toBe('accepted');
    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections[0]?.serverPingsAnswered ?? 0) >= 2,
      'the new connection answers pings',
    );
    expect(agent.output()).toMatch(/new inbound stream/);
    expect(agent.child.exitCode).toBeNull();
  });

  it('an idle agent switches at once and its old connection is closed right away', async () => {
    const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
    cleanups.push(() => fixture.close());
    const keys = fixture.addAgent();
    const agent = await spawnAgent(REFERENCE_AGENT, fixture.agentConfigToml(keys));
    cleanups.push(() => agent.stop());
    const first = await fixture.gateway.waitForAgent(keys.agentId);

    const oldClosed = nextGatewayEvent(
      fixture.gateway,
      'connection-closed',
      (event) => event.connectionId === first.id,
    );
    const switched = await fixture.gateway.switchConnection(keys.agentId);
    await oldClosed;
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${await echoServer()}`)).toEqual({ ok: true });
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(switched.currentConnectionId);
  });
});

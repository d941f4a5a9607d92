/**
 * Differential: the same scenarios, the same gateway and the same assertions for the real
 * reference agent and for ours (`node dist/src/cli/agent.js`), so that any difference a gateway
 * (or a user reading the output) could notice fails here.
 */
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamOpenError } from '../../../src/gateway/errors.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import {
  type GatewayFixture,
  nextGatewayEvent,
  quietGatewayFixture,
  waitUntil,
} from '../../support/gateway-fixture.js';
import {
  type AgentImplementation,
  type AgentProcess,
  OUR_AGENT_CLI,
  REFERENCE_AGENT,
  spawnAgent,
} from '../../support/reference-agent.js';
import { closedLoopbackPort, listenLoopback } from '../../support/loopback.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function run(implementation: AgentImplementation, toml: string): Promise<AgentProcess> {
  const agent = await spawnAgent(implementation, toml);
  cleanups.push(() => agent.stop());
  return agent;
}

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const { server, port } = await listenLoopback(onConnection, { allowHalfOpen: true });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return port;
}

/** Writes, half-closes, collects the answer until the end. */
async function exchange(port: number, payload: string): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await once(socket, 'connect');
  let answer = '';
  socket.setEncoding('utf8').on('data', (text: string) => (answer += text));
  socket.end(payload);
  await once(socket, 'end');
  socket.destroy();
  return answer;
}

/** A refusal's code; the reference may reset before replying (yamux 0.10), so retry until a reply came. */
async function refusalCode(fixture: GatewayFixture, agentId: string, target: string): Promise<string | null> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const failure = await fixture.gateway.openStream(agentId, target).then(
      (stream) => {
        stream.destroy();
        throw new Error(`the agent opened a stream to ${target}`);
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StreamOpenError);
    if ((failure as StreamOpenError).outcome === 'refused') return (failure as StreamOpenError).errorCode;
  }
  return null;
}

describe.each([REFERENCE_AGENT, OUR_AGENT_CLI])('$name and the gateway', (implementation) => {
  it('is accepted as version 1.3.0 and answers Server pings', async () => {
    const fixture = await quietGatewayFixture(cleanups, { pingIntervalMs: 100 });
    const keys = fixture.addAgent('diff');
    const accepted = nextGatewayEvent(fixture.gateway, 'agent-accepted');
    const agent = await run(implementation, fixture.agentConfigToml(keys));
    expect(await accepted).toMatchObject({ agentId: keys.agentId, agentVersion: '1.3.0' });
    await agent.waitForOutput(new RegExp(`up and running agent=${keys.agentId}`));
    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections[0]?.serverPingsAnswered ?? 0) >= 3,
      'three Server pings were answered',
    );
  });

  it('pings after a quiet ping-frequency and reconnects when no Pong comes', async () => {
    const fixture = await quietGatewayFixture(cleanups, { faults: { ignoreClientPings: true } });
    const keys = fixture.addAgent();
    const agent = await run(implementation, fixture.agentConfigToml(keys, { pingFrequency: '300ms' }));
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    await nextGatewayEvent(fixture.gateway, 'agent-accepted', (event) => event.connectionId !== first.id);
    await agent.waitForOutput(/WARN .*no pong from server/);
  });

  it.each([
    ['an unknown key', 'Unauthorized', 'unauthorized agent', {}],
    ['a challenge it cannot open', 'Unauthenticated', 'unauthenticated agent', { faults: { corruptChallenge: true } }],
    ['a version not served', 'UnsupportedVersion', 'unsupported agent version', { acceptVersion: () => false }],
  ] as const)(
    '%s: Terminate{%s}, exit 1 with "agent was terminated by gateway: %s"',
    async (_what, reason, text, options) => {
      const fixture = await quietGatewayFixture(cleanups, options);
      const keys = reason === 'Unauthorized' ? generateKeyPair() : fixture.addAgent();
      const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
      const agent = await run(implementation, fixture.agentConfigToml(keys));
      const event = await rejected;
      expect(event.reason).toBe(reason);
      if (reason === 'Unauthenticated') expect(event.detail).toContain('DecryptionFailed');
      expect((await agent.exited).code).toBe(1);
      expect(agent.stderr()).toContain(`agent was terminated by gateway: ${text}`);
      await agent.waitForOutput(/ERROR .*connection terminated by gateway/);
    },
  );

  it('disabled: retries every 5 s until enabled', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent('standby', 'disabled');
    const rejections: string[] = [];
    fixture.gateway.on('agent-rejected', (event) => rejections.push(event.reason));
    const agent = await run(implementation, fixture.agentConfigToml(keys));
    await waitUntil(() => rejections.length >= 2, 'a second attempt after Terminate{Disabled}');
    expect(rejections).toEqual(rejections.map(() => 'Disabled'));
    await agent.waitForOutput(/waiting 5s before connecting/);
    fixture.gateway.setStatus(keys.agentId, 'enabled');
    await fixture.gateway.waitForAgent(keys.agentId);
  });

  it('Test and data streams: allowlist, refusals, half-close and full close', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    await run(
      implementation,
      fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.0/8'], connectTimeout: '5s' }),
    );
    await fixture.gateway.waitForAgent(keys.agentId);
    const counter = await listen((socket) => {
      let received = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.on('end', () => socket.end(`received ${received}`));
      socket.on('error', () => undefined);
    });
    const closed = await closedLoopbackPort();

    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${counter}`)).toEqual({ ok: true });
    expect(await fixture.gateway.test(keys.agentId, '10.1.2.3:5432')).toEqual({ ok: false, code: 'AddressNotAllowed' });
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${closed}`)).toEqual({
      ok: false,
      code: 'CouldNotConnect',
    });
    expect(await refusalCode(fixture, keys.agentId, '10.1.2.3:5432')).toBe('AddressNotAllowed');
    expect(await refusalCode(fixture, keys.agentId, `127.0.0.1:${closed}`)).toBe('CouldNotConnect');

    const half = await fixture.gateway.openRoute({
      agentId: keys.agentId,
      target: `127.0.0.1:${counter}`,
      halfClose: true,
    });
    expect(await exchange(half.port, 'x'.repeat(50_000))).toBe('received 50000');
    const full = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `127.0.0.1:${counter}` });
    expect(await exchange(full.port, 'question')).toBe('');
    await half.close();
    await full.close();
  });

  it('SwitchToNewConnection: the transfer in flight finishes on the old connection', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    await run(implementation, fixture.agentConfigToml(keys));
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    const echo = await listen((socket) => socket.pipe(socket));
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `127.0.0.1:${echo}` });
    cleanups.push(() => route.close());
    const client = connect({ host: '127.0.0.1', port: route.port });
    let received = '';
    client.setEncoding('utf8').on('data', (text: string) => (received += text));
    client.write('one;');
    await waitUntil(() => received === 'one;', 'the first part came back');

    const oldClosed = nextGatewayEvent(
      fixture.gateway,
      'connection-closed',
      (event) => event.connectionId === first.id,
    );
    const switched = await fixture.gateway.switchConnection(keys.agentId);
    expect(switched.previousConnectionId).toBe(first.id);
    client.write('two');
    await waitUntil(() => received === 'one;two', 'the second part came back over the draining connection');
    client.end();
    await oldClosed;
    expect(fixture.gateway.agents()[0]).toMatchObject({
      online: true,
      currentConnectionId: switched.currentConnectionId,
    });
  });
});

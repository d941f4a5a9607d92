/**
 * Opening data streams against a scripted agent (§5.4, §9.8): the Connect frame the gateway
 * sends, and every way the agent's answer can go — Ok (with bytes right behind it), an error
 * code, a reset or an end without a reply, garbage, silence.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError, StreamOpenError } from '../../../src/gateway/errors.js';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import {
  type Connect,
  type Message,
  decodeConnectMessage,
  encodeFrame,
  encodeStreamReplyMessage,
  freshMessageId,
  readFrame,
} from '../../../src/tunnel/codec/index.js';
import type { MuxStream } from '../../../src/tunnel/mux/index.js';
import { type FixtureOptions, type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  readonly fixture: GatewayFixture;
  readonly keys: KeyPair;
  readonly agent: ScriptedAgent;
}

async function connectedAgent(options: FixtureOptions = {}): Promise<Setup> {
  const fixture = await startGatewayFixture({ pingIntervalMs: 0, ...options });
  cleanups.push(() => fixture.close());
  const keys = fixture.addAgent();
  const agent = await ScriptedAgent.connect(fixture);
  cleanups.push(() => agent.close());
  await agent.handshake(keys);
  return { fixture, keys, agent };
}

/** The agent's side: the next stream and its Connect message. */
async function acceptConnect(agent: ScriptedAgent): Promise<{ stream: MuxStream; connect: Message<Connect> }> {
  const stream = await agent.nextDataStream();
  const body = await readFrame(stream);
  if (body === null) throw new Error('no Connect frame');
  return { stream, connect: decodeConnectMessage(body) };
}

function reply(
  stream: MuxStream,
  data: { ok: true } | { ok: false; code: 'CouldNotConnect' | 'AddressNotAllowed' },
): void {
  stream.write(encodeFrame(encodeStreamReplyMessage({ id: freshMessageId(), data })));
}

describe('gateway data streams', () => {
  it('sends Connect in map form, without use_half_close by default and with it when asked', async () => {
    const { fixture, keys, agent } = await connectedAgent();
    const full = fixture.gateway.openStream(keys.agentId, 'db.internal:5432');
    const first = await acceptConnect(agent);
    expect(first.stream.id % 2).toBe(0);
    expect(first.connect.data).toEqual({ addr: { kind: 'name', name: 'db.internal', port: 5432 }, useHalfClose: null });
    reply(first.stream, { ok: true });
    (await full).destroy();

    const half = fixture.gateway.openStream(keys.agentId, '[::1]:5432', { halfClose: true });
    const second = await acceptConnect(agent);
    expect(second.connect.data).toEqual({
      addr: { kind: 'addr', family: 6, ip: '::1', port: 5432 },
      useHalfClose: true,
    });
    reply(second.stream, { ok: true });
    (await half).destroy();
  });

  it('after Ok the stream carries raw bytes both ways, including bytes sent right behind the reply', async () => {
    const { fixture, keys, agent } = await connectedAgent();
    const opening = fixture.gateway.openStream(keys.agentId, '10.0.0.5:5432');
    const { stream: agentSide } = await acceptConnect(agent);
    agentSide.write(
      Buffer.concat([
        encodeFrame(encodeStreamReplyMessage({ id: freshMessageId(), data: { ok: true } })),
        Buffer.from('server hello'),
      ]),
    );
    const stream = await opening;
    const [greeting] = (await once(stream, 'data')) as [Buffer];
    expect(greeting.toString()).toBe('server hello');
    stream.write('client hello');
    const [answer] = (await once(agentSide, 'data')) as [Buffer];
    expect(answer.toString()).toBe('client hello');
    stream.destroy();
  });

  it('an error reply rejects with StreamOpenError carrying the agent error code', async () => {
    const { fixture, keys, agent } = await connectedAgent();
    const opening = fixture.gateway.openStream(keys.agentId, '10.0.0.5:5432');
    const { stream } = await acceptConnect(agent);
    reply(stream, { ok: false, code: 'AddressNotAllowed' });
    const error = await opening.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StreamOpenError);
    expect(error).toMatchObject({ outcome: 'refused', errorCode: 'AddressNotAllowed', code: 'STREAM_OPEN_FAILED' });
  });

  it('a reset without a reply is a failed connect (reset-without-reply)', async () => {
    const { fixture, keys, agent } = await connectedAgent();
    const opening = fixture.gateway.openStream(keys.agentId, '10.0.0.5:5432');
    const { stream } = await acceptConnect(agent);
    stream.reset();
    await expect(opening).rejects.toMatchObject({ outcome: 'reset-without-reply', errorCode: null });
  });

  it('an end without a reply, a garbage reply and silence each reject with their outcome', async () => {
    const { fixture, keys, agent } = await connectedAgent({ streamReplyTimeoutMs: 300 });
    const ended = fixture.gateway.openStream(keys.agentId, '10.0.0.5:1');
    (await acceptConnect(agent)).stream.end();
    await expect(ended).rejects.toMatchObject({ outcome: 'closed-without-reply' });

    const garbage = fixture.gateway.openStream(keys.agentId, '10.0.0.5:2');
    (await acceptConnect(agent)).stream.write(encodeFrame(Uint8Array.of(0x82, 0x01, 0x63, 0x61, 0x62, 0x63)));
    await expect(garbage).rejects.toMatchObject({ outcome: 'invalid-reply' });

    const silent = fixture.gateway.openStream(keys.agentId, '10.0.0.5:3');
    const { stream } = await acceptConnect(agent);
    await expect(silent).rejects.toMatchObject({ outcome: 'timeout' });
    // The gateway gave up on the stream: it reset it.
    const reset = await new Promise<Error | undefined>((resolve) => stream.once('error', resolve));
    expect(reset?.message).toMatch(/reset/);
  });

  it('rejects at once for an unknown agent, an offline agent and a bad target', async () => {
    const { fixture, keys } = await connectedAgent();
    await expect(fixture.gateway.openStream('nobody', '10.0.0.5:5432')).rejects.toMatchObject({
      code: 'UNKNOWN_AGENT',
    });
    const offline = fixture.addAgent('offline');
    await expect(fixture.gateway.openStream(offline.agentId, '10.0.0.5:5432')).rejects.toMatchObject({
      code: 'AGENT_NOT_CONNECTED',
    });
    await expect(fixture.gateway.openStream(keys.agentId, 'no port')).rejects.toBeInstanceOf(GatewayError);
    await expect(fixture.gateway.test(offline.agentId, '10.0.0.5:5432')).rejects.toMatchObject({
      code: 'AGENT_NOT_CONNECTED',
    });
  });

  it('a route closes the client connection the agent refuses, and counts it', async () => {
    const { fixture, keys, agent } = await connectedAgent();
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: '10.9.9.9:5432' });
    cleanups.push(() => route.close());
    const client = connect({ host: '127.0.0.1', port: route.port });
    client.on('error', () => undefined);
    const { stream } = await acceptConnect(agent);
    reply(stream, { ok: false, code: 'CouldNotConnect' });
    await once(client, 'close');
    expect(route.info()).toMatchObject({ acceptedConnections: 1, failedConnections: 1, activeConnections: 0 });
  });
});

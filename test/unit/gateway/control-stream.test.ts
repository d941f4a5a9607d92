/**
 * The gateway's control-stream handling against a scripted agent over real TLS and yamux:
 * the handshake's every refusal, tolerance for what §9.11 says agents may send, and bad input,
 * which must close that one connection with a logged reason and nothing else.
 */
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, openChallenge } from '../../../src/tunnel/auth/index.js';
import { encodeFrame, encodeStreamReplyMessage, freshMessageId, readFrame } from '../../../src/tunnel/codec/index.js';
import {
  type FixtureOptions,
  type GatewayFixture,
  nextGatewayEvent,
  quietGatewayFixture,
  startGatewayFixture,
  waitUntil,
} from '../../support/gateway-fixture.js';
import { ScriptedAgent, VERSION_1_3_0, framePrefix, rawMessage } from './support/scripted-agent.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function gatewayFor(options: FixtureOptions = {}): Promise<GatewayFixture> {
  return quietGatewayFixture(cleanups, { terminateLingerMs: 200, ...options });
}

async function agentOf(fixture: GatewayFixture): Promise<ScriptedAgent> {
  const agent = await ScriptedAgent.connect(fixture);
  cleanups.push(() => agent.close());
  return agent;
}

function logged(fixture: GatewayFixture, pattern: RegExp): boolean {
  return fixture.logs.some((record) => pattern.test(`${record.message} ${Object.values(record.fields).join(' ')}`));
}

describe('gateway control stream: handshake', () => {
  it('sends a challenge sealed for the Hello key and accepts the right answer', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent('scripted');
    const agent = await agentOf(fixture);
    const accepted = nextGatewayEvent(fixture.gateway, 'agent-accepted');

    await agent.handshake(keys);
    expect(await accepted).toMatchObject({ agentId: keys.agentId, name: 'scripted', agentVersion: '1.3.0' });
    expect(fixture.gateway.agents()[0]).toMatchObject({ online: true });
  });

  it('answers a Client::Ping with Pong{re} before Hello, during the handshake and after Accepted', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const agent = await agentOf(fixture);

    const early = await agent.send({ type: 'Ping' });
    expect((await agent.expect('Pong')).data.re).toBe(early);
    await agent.send({ type: 'Hello', pubkey: keys.publicKey, agentVersion: VERSION_1_3_0 });
    const challenge = await agent.expect('Challenge');
    const during = await agent.send({ type: 'Ping' });
    expect((await agent.expect('Pong')).data.re).toBe(during);
    const opened = openChallenge(keys.secretKey, challenge.data.text);
    if (!opened.ok) throw new Error('challenge did not open');
    await agent.send({ type: 'Response', re: challenge.id, text: opened.plaintext });
    await agent.expect('Accepted');
    const after = await agent.send({ type: 'Ping' });
    expect((await agent.expect('Pong')).data.re).toBe(after);
  });

  it('a wrong Response text gets Terminate{Unauthenticated} and the connection is closed', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const agent = await agentOf(fixture);
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');

    await agent.send({ type: 'Hello', pubkey: keys.publicKey, agentVersion: VERSION_1_3_0 });
    const challenge = await agent.expect('Challenge');
    await agent.send({ type: 'Response', re: challenge.id, text: new Uint8Array(32) });
    expect((await agent.expect('Terminate')).data.reason).toBe('Unauthenticated');
    expect(await rejected).toMatchObject({ agentId: keys.agentId, reason: 'Unauthenticated' });
    await agent.closed;
    expect(fixture.gateway.agents()[0]?.online).toBe(false);
  });

  it('a Response to another id gets Terminate{Unauthenticated}, even with the right text', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const agent = await agentOf(fixture);
    await agent.send({ type: 'Hello', pubkey: keys.publicKey, agentVersion: VERSION_1_3_0 });
    const challenge = await agent.expect('Challenge');
    const opened = openChallenge(keys.secretKey, challenge.data.text);
    if (!opened.ok) throw new Error('challenge did not open');
    await agent.send({ type: 'Response', re: challenge.id ^ 1n, text: opened.plaintext });
    expect((await agent.expect('Terminate')).data.reason).toBe('Unauthenticated');
  });

  it('the map-form Client::Error{re, DecryptionFailed} gets Terminate{Unauthenticated}', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const agent = await agentOf(fixture);
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    await agent.send({ type: 'Hello', pubkey: keys.publicKey, agentVersion: VERSION_1_3_0 });
    const challenge = await agent.expect('Challenge');
    await agent.send({ type: 'Error', re: challenge.id, code: 'DecryptionFailed', msg: null });
    expect((await agent.expect('Terminate')).data.reason).toBe('Unauthenticated');
    expect((await rejected).detail).toContain('DecryptionFailed');
  });

  it('Hello of major version 2, or before 1.1.0 (legacy challenge), gets Terminate{UnsupportedVersion}; 1.1 and later 1.x are served', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const current = await agentOf(fixture);
    await current.handshake(keys);

    for (const version of [
      { major: 2n, minor: 0n, patch: 0n },
      { major: 1n, minor: 0n, patch: 6n },
    ]) {
      const agent = await agentOf(fixture);
      await agent.send({ type: 'Hello', pubkey: keys.publicKey, agentVersion: version });
      expect((await agent.expect('Terminate')).data.reason).toBe('UnsupportedVersion');
    }

    const newer = await agentOf(fixture);
    await newer.authenticate(keys, { major: 1n, minor: 99n, patch: 7n });
    await newer.expect('Accepted');
  });

  it('a Hello whose public key is not 32 bytes gets Terminate{Unauthenticated}', async () => {
    const fixture = await gatewayFor();
    const agent = await agentOf(fixture);
    await agent.send({ type: 'Hello', pubkey: new Uint8Array(31), agentVersion: VERSION_1_3_0 });
    expect((await agent.expect('Terminate')).data.reason).toBe('Unauthenticated');
  });

  it('an authenticated but unknown agent gets Terminate{Unauthorized}; a disabled one Terminate{Disabled}', async () => {
    const fixture = await gatewayFor();
    const stranger = await agentOf(fixture);
    await stranger.authenticate(generateKeyPair());
    expect((await stranger.expect('Terminate')).data.reason).toBe('Unauthorized');

    const disabledKeys = fixture.addAgent('off', 'disabled');
    const disabled = await agentOf(fixture);
    await disabled.authenticate(disabledKeys);
    expect((await disabled.expect('Terminate')).data.reason).toBe('Disabled');
  });

  it('a connection that never authenticates is closed after the handshake timeout', async () => {
    const fixture = await gatewayFor({ handshakeTimeoutMs: 300 });
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const agent = await agentOf(fixture);
    await agent.send({ type: 'Ping' });
    expect((await rejected).reason).toBe('handshake-timeout');
    await agent.closed;
  });

  it('close() does not wait for a TLS handshake that never finishes', { timeout: 20_000 }, async () => {
    const fixture = await startGatewayFixture({ handshakeTimeoutMs: 600_000 });
    const silent = connect({ host: '127.0.0.1', port: fixture.port });
    silent.on('error', () => undefined);
    await once(silent, 'connect');
    await fixture.close();
    await once(silent, 'close');
  });

  it('refuses TLS 1.2', async () => {
    const fixture = await gatewayFor();
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: fixture.port,
      servername: fixture.host,
      ca: fixture.ca.certPem,
      maxVersion: 'TLSv1.2',
    });
    const [error] = (await once(socket, 'error')) as [Error];
    expect(error.message).toMatch(/protocol version|alert/i);
  });
});

describe('gateway control stream: tolerance (§9.11)', () => {
  it('ignores messages without data, with null data or of unknown kinds, and keeps serving', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const agent = await agentOf(fixture);
    await agent.sendFrame(rawMessage(freshMessageId(), null)); // [id]
    await agent.sendFrame(rawMessage(freshMessageId(), [0xf6])); // [id, null]
    await agent.sendFrame(rawMessage(freshMessageId(), [0x82, 0x18, 0x63, 0x80])); // [id, [99, []]]
    await agent.handshake(keys);
    await agent.sendFrame(rawMessage(freshMessageId(), [0x82, 0x07, 0x80])); // [id, [7, []]]: no such Client variant
    const ping = await agent.send({ type: 'Ping' });
    expect((await agent.expect('Pong')).data.re).toBe(ping);
    expect(logged(fixture, /ignoring unknown agent message/)).toBe(true);
  });

  it('accepts a Test result that arrives on a new connection before its Accepted', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const first = await agentOf(fixture);
    await first.handshake(keys);
    const result = fixture.gateway.test(keys.agentId, 'db.internal:5432');
    const test = await first.expect('Test');
    expect(test.data.addr).toEqual({ kind: 'name', name: 'db.internal', port: 5432 });

    // The agent switched meanwhile: the result comes on the new connection, even before Accepted.
    const second = await agentOf(fixture);
    await second.send({ type: 'Hello', pubkey: keys.publicKey, agentVersion: VERSION_1_3_0 });
    const challenge = await second.expect('Challenge');
    await second.send({ type: 'Test', re: test.id, code: 'CouldNotConnect' });
    const opened = openChallenge(keys.secretKey, challenge.data.text);
    if (!opened.ok) throw new Error('challenge did not open');
    await second.send({ type: 'Response', re: challenge.id, text: opened.plaintext });
    await second.expect('Accepted');
    expect(await result).toEqual({ ok: false, code: 'CouldNotConnect' });
  });

  it('a Test result from an unauthenticated connection is never applied', async () => {
    const fixture = await gatewayFor({ testTimeoutMs: 500 });
    const keys = fixture.addAgent();
    const first = await agentOf(fixture);
    await first.handshake(keys);
    const result = fixture.gateway.test(keys.agentId, '127.0.0.1:1');
    const test = await first.expect('Test');

    const impostor = await agentOf(fixture);
    await impostor.send({ type: 'Hello', pubkey: keys.publicKey, agentVersion: VERSION_1_3_0 });
    await impostor.expect('Challenge');
    await impostor.send({ type: 'Test', re: test.id, code: null });
    await impostor.send({ type: 'Response', re: 1n, text: new Uint8Array(32) });
    expect((await impostor.expect('Terminate')).data.reason).toBe('Unauthenticated');
    await expect(result).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('gateway control stream: bad input closes that connection only', () => {
  it('an undecodable control frame', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const good = await agentOf(fixture);
    await good.handshake(keys);
    const bad = await agentOf(fixture);
    await bad.sendFrame(Buffer.from([0xff, 0xfe, 0x00]));
    await bad.closed;
    expect(logged(fixture, /protocol error .*undecodable control message/)).toBe(true);
    const ping = await good.send({ type: 'Ping' });
    expect((await good.expect('Pong')).data.re).toBe(ping);
  });

  it('a frame length above 512 KiB, refused before its body arrives', async () => {
    const fixture = await gatewayFor();
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const agent = await agentOf(fixture);
    await agent.sendBytes(framePrefix(524_289));
    await agent.closed;
    const event = await rejected;
    expect(event.reason).toBe('protocol-error');
    expect(event.detail).toMatch(/frame length 524289 exceeds/);
  });

  it('a stream opened by the agent besides its control stream is reset', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const agent = await agentOf(fixture);
    await agent.handshake(keys);
    const extra = agent.session.open();
    const reset = new Promise<Error>((resolve) => extra.once('error', resolve));
    extra.write('hello?');
    expect((await reset).message).toMatch(/reset/);
    const ping = await agent.send({ type: 'Ping' });
    expect((await agent.expect('Pong')).data.re).toBe(ping);
  });
});

describe('gateway control stream: liveness and connections', () => {
  it('pings the agent and closes the connection when no Pong comes back in time', async () => {
    const fixture = await gatewayFor({ pingIntervalMs: 100, pongTimeoutMs: 300 });
    const keys = fixture.addAgent();
    const agent = await agentOf(fixture);
    await agent.handshake(keys);
    const ping = await agent.expect('Ping');
    await agent.send({ type: 'Pong', re: ping.id });
    await agent.expect('Ping');
    // Not answered: the gateway gives up on this connection.
    await agent.closed;
    expect(logged(fixture, /no pong from the agent/)).toBe(true);
    expect(fixture.gateway.agents()[0]?.online).toBe(false);
  });

  it('a second connection with the same key replaces the first, which closes once its stream ends', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const first = await agentOf(fixture);
    await first.handshake(keys);
    const opening = fixture.gateway.openStream(keys.agentId, '127.0.0.1:5432');
    const dataStream = await first.nextDataStream();
    await readFrame(dataStream);
    dataStream.write(encodeFrame(encodeStreamReplyMessage({ id: freshMessageId(), data: { ok: true } })));
    const stream = await opening;

    const second = await agentOf(fixture);
    const accepted = nextGatewayEvent(fixture.gateway, 'agent-accepted');
    await second.handshake(keys);
    const event = await accepted;
    expect(event.replacedConnectionId).not.toBeNull();
    const [info] = fixture.gateway.agents();
    expect(info?.currentConnectionId).toBe(event.connectionId);
    expect(info?.connections.find((connection) => connection.id === event.replacedConnectionId)).toMatchObject({
      phase: 'draining',
      openStreams: 1,
    });

    // The stream on the old connection still carries bytes.
    stream.write('still here');
    const [chunk] = (await once(dataStream, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('still here');
    stream.destroy();
    await first.closed;
    await waitUntil(() => fixture.gateway.agents()[0]?.connections.length === 1, 'only the new connection is left');
  });

  it('SwitchToNewConnection: resolves after SwitchingConnection and the new connection is Accepted', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const first = await agentOf(fixture);
    await first.handshake(keys);
    const switching = fixture.gateway.switchConnection(keys.agentId);
    const request = await first.expect('SwitchToNewConnection');
    await first.send({ type: 'SwitchingConnection', re: request.id });
    const second = await agentOf(fixture);
    await second.handshake(keys);
    const result = await switching;
    expect(result.previousConnectionId).not.toBe(result.currentConnectionId);
    await first.closed; // idle: closed by the gateway at once
  });

  it('SwitchToNewConnection: also resolves when the new connection is Accepted before SwitchingConnection arrives', async () => {
    const fixture = await gatewayFor();
    const keys = fixture.addAgent();
    const first = await agentOf(fixture);
    await first.handshake(keys);
    const switching = fixture.gateway.switchConnection(keys.agentId);
    await first.expect('SwitchToNewConnection');
    const second = await agentOf(fixture);
    await second.handshake(keys);
    const result = await switching;
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(result.currentConnectionId);
    await first.closed;
  });
});

/**
 * The engine in process against the reference gateway (src/gateway, real TLS 1.3 and yamux on
 * 127.0.0.1): handshake and states, Terminate reasons, backoff and ping cadence on an injected
 * clock, Test, SwitchToNewConnection, stop() leaving nothing behind, and the secret staying out
 * of every log record.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import {
  type ClientMessage,
  type ServerMessage,
  decodeClientMessage,
  encodeServerMessage,
  freshMessageId,
  readFrame,
  writeFrame,
} from '../../../src/tunnel/codec/index.js';
import type { AgentConfig } from '../../../src/tunnel/config/agent-config.js';
import { parseAgentConfig } from '../../../src/tunnel/config/agent-config.js';
import { Session } from '../../../src/tunnel/mux/index.js';
import {
  type GatewayFixture,
  agentConfigToml,
  nextGatewayEvent,
  quietGatewayFixture,
  startGatewayFixture,
  waitUntil,
} from '../../support/gateway-fixture.js';
import { startAgent } from './support/agent-harness.js';
import { ManualClock } from './support/manual-clock.js';
import { closedPort, echoTarget, readToEnd, type TargetServer } from './support/targets.js';
import { localhostCertificate, testAuthority } from './support/tls-certificates.js';
import { until } from './support/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echo(): Promise<TargetServer> {
  const server = await echoTarget();
  cleanups.push(() => server.close());
  return server;
}

function configFor(
  fixture: GatewayFixture,
  keys = fixture.addAgent(),
  options: Parameters<GatewayFixture['agentConfigToml']>[1] = {},
): AgentConfig {
  return parseAgentConfig(fixture.agentConfigToml(keys, options), { file: null, env: {} });
}

/**
 * A gateway played by hand with the codec, for messages the reference gateway never sends: real
 * TLS 1.3 (a `localhost` certificate from the test CA) and a yamux server session on 127.0.0.1;
 * on every control stream it reads the agent's first message, then sends `script` in order.
 */
async function handPlayedGateway(
  script: readonly ServerMessage[],
): Promise<{ readonly config: AgentConfig; readonly firstMessages: (ClientMessage | null)[] }> {
  const certificate = await localhostCertificate();
  const sessions: Session[] = [];
  const firstMessages: (ClientMessage | null)[] = [];
  const server = tls.createServer(
    { cert: certificate.certPem, key: certificate.keyPem, minVersion: 'TLSv1.3' },
    (socket) => {
      socket.on('error', () => undefined);
      const session = new Session(socket, { mode: 'server' });
      sessions.push(session);
      session.on('stream', (control) => {
        control.on('error', () => undefined);
        void (async () => {
          const body = await readFrame(control);
          firstMessages.push(body === null ? null : decodeClientMessage(body).data);
          for (const data of script) await writeFrame(control, encodeServerMessage({ id: freshMessageId(), data }));
        })();
      });
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const session of sessions) session.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  const toml = agentConfigToml({
    secretKey: generateKeyPair().secretKey.exportBase64url(),
    host: 'localhost',
    port,
    trustPem: (await testAuthority()).certPem,
  });
  return { config: parseAgentConfig(toml, { file: null, env: {} }), firstMessages };
}

/** Waits until the manual clock has a timer of `delay` pending (the agent is waiting on it). */
async function timerPending(clock: ManualClock, delay: number): Promise<void> {
  await until(() => clock.pendingDelays().includes(delay), `a ${delay} ms timer`);
}

describe('agent engine: connecting and authenticating', () => {
  it('connects, proves its key, goes online and reports it in states, logs and counters', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent('warehouse');
    const h = startAgent(configFor(fixture, keys), {}, cleanups);
    const accepted = await fixture.gateway.waitForAgent(keys.agentId);
    const online = await h.reached('online');
    expect(h.states.map((s) => s.phase)).toEqual(['connecting', 'authenticating', 'online']);
    expect(online).toMatchObject({ server: `localhost:${fixture.port}`, remoteAddress: `127.0.0.1:${fixture.port}` });
    expect(accepted).toMatchObject({ agentVersion: '1.3.0', tlsProtocol: 'TLSv1.3' });
    const up = await h.logged('up and running');
    expect(up).toMatchObject({
      level: 'info',
      module: 'cluvio_agent::agent',
      fields: { agent: keys.agentId, version: '1.3.0' },
    });
    expect(
      h.logs.some((r) => r.message === `connected to server: localhost:${fixture.port}` && r.level === 'info'),
    ).toBe(true);
    const snapshot = h.agent.snapshot();
    expect(snapshot.config).toMatchObject({ agentId: keys.agentId, server: { host: 'localhost', port: fixture.port } });
    expect(JSON.stringify(snapshot)).not.toContain(keys.secretKey.exportBase64url());
    expect(snapshot.counters).toMatchObject({ reconnects: 0, streamsOpen: 0, lastError: null });
    expect(snapshot.counters.connectedSince).not.toBeNull();
  });

  it('the gateway going away (GoAway) reads as the control channel closing: reconnect with backoff', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const h = startAgent(configFor(fixture, keys), {}, cleanups);
    await fixture.gateway.waitForAgent(keys.agentId);
    await h.reached('online');
    await fixture.close();
    expect(await h.logged('control channel closed by server, reconnecting ...')).toMatchObject({ level: 'warn' });
    // Accepted had reset the counter: the first attempt is immediate, the next ones back off.
    await h.logged(`failed to connect to localhost:${fixture.port}`);
    await h.reached('backing-off');
    expect(h.agent.snapshot().counters.connectedSince).toBeNull();
  });

  it('answers every Server::Ping with a Pong', async () => {
    const fixture = await quietGatewayFixture(cleanups, { pingIntervalMs: 50 });
    const keys = fixture.addAgent();
    startAgent(configFor(fixture, keys), {}, cleanups);
    await fixture.gateway.waitForAgent(keys.agentId);
    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections[0]?.serverPingsAnswered ?? 0) >= 3,
      'three Server pings answered',
    );
  });

  it('a permanent Terminate (unknown key) ends the engine: terminated, done resolves, no retry', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    fixture.addAgent();
    const stranger = generateKeyPair();
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const h = startAgent(configFor(fixture, stranger), {}, cleanups);
    expect(await rejected).toMatchObject({ reason: 'Unauthorized' });
    expect(await h.agent.done).toEqual({ phase: 'terminated', reason: 'Unauthorized', message: 'unauthorized agent' });
    expect(await h.logged('connection terminated by gateway')).toMatchObject({
      level: 'error',
      fields: { reason: 'Unauthorized' },
    });
    await h.agent.stop();
    expect(h.agent.snapshot().state.phase).toBe('terminated');
    await waitUntil(() => fixture.gateway.connections().length === 0, 'the gateway to see the connection go');
    expect(h.logs.filter((r) => r.message.startsWith('connecting to '))).toHaveLength(1);
  });

  it('a challenge it cannot open is answered with DecryptionFailed (and the gateway terminates it)', async () => {
    const fixture = await quietGatewayFixture(cleanups, { faults: { corruptChallenge: true } });
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const h = startAgent(configFor(fixture), {}, cleanups);
    const event = await rejected;
    expect(event.detail).toContain('DecryptionFailed');
    expect(await h.agent.done).toMatchObject({ phase: 'terminated', reason: 'Unauthenticated' });
    expect(h.logs.some((r) => r.level === 'warn' && r.message.startsWith('failed to decrypt challenge'))).toBe(true);
  });

  it('logs a Server::Error at error level (the text as Rust Debug) and carries on with the connection', async () => {
    const gateway = await handPlayedGateway([
      { type: 'Error', msg: 'gateway "eu-1" restarts at 02:00' },
      { type: 'Accepted' },
    ]);
    const h = startAgent(gateway.config, {}, cleanups);
    const record = await h.logged('server error');
    expect(record).toMatchObject({
      level: 'error',
      module: 'cluvio_agent::agent',
      fields: { msg: '"gateway \\"eu-1\\" restarts at 02:00"' },
    });
    // Not a reason to drop the connection: the Accepted behind it still takes the agent online.
    await h.reached('online');
    expect(gateway.firstMessages).toHaveLength(1);
    expect(gateway.firstMessages[0]?.type).toBe('Hello');
    expect(h.agent.snapshot().counters.reconnects).toBe(0);
  });

  it('refuses a gateway whose certificate is not trusted, and keeps retrying', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const other = await startGatewayFixture();
    cleanups.push(() => other.close());
    const config = configFor(fixture, fixture.addAgent(), { trustPem: other.ca.certPem });
    const h = startAgent(config, {}, cleanups);
    const failure = await h.logged(`failed to connect to localhost:${fixture.port}`);
    expect(failure).toMatchObject({
      level: 'warn',
      fields: { err: 'i/o error: could not connect to any address of localhost' },
    });
    const detail = h.logs.find((r) => r.module === 'cluvio_agent::tls');
    expect(detail?.message).toMatch(/^failed to connect to 127\.0\.0\.1:\d+ \(localhost\): /);
    expect(fixture.gateway.connections().filter((c) => c.phase === 'accepted')).toHaveLength(0);
    await h.reached('backing-off');
  });
});

describe('agent engine: backoff (injected clock)', () => {
  it('waits 2, 4, 8, 16, 32, 64, 64 s between failed attempts, logging each wait', async () => {
    const clock = new ManualClock();
    const port = await closedPort();
    const h = startAgent(
      parseAgentConfig(
        `secret-key = "${generateKeyPair().secretKey.exportBase64url()}"\n[server]\nhost = "localhost"\nport = ${port}\n`,
        { file: null, env: {} },
      ),
      { clock },
      cleanups,
    );
    const waits: number[] = [];
    for (const delay of [2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 64_000]) {
      await timerPending(clock, delay);
      const state = h.agent.snapshot().state;
      if (state.phase !== 'backing-off') throw new Error(`expected backing-off, got ${state.phase}`);
      waits.push(state.nextAttemptAt - clock.now());
      const before = h.states.length;
      clock.advance(delay);
      await h.reached('connecting', before);
    }
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 64_000]);
    const texts = h.logs
      .filter((r) => r.message.startsWith('waiting '))
      .map((r) => r.message)
      .slice(0, 7);
    expect(texts).toEqual(
      ['2s', '4s', '8s', '16s', '32s', '1m 4s', '1m 4s'].map((d) => `waiting ${d} before connecting ...`),
    );
    expect(
      h.logs.filter((r) => r.level === 'warn' && r.message === `failed to connect to localhost:${port}`).length,
    ).toBeGreaterThanOrEqual(7);
    expect(h.agent.snapshot().counters.lastError?.message).toContain('could not connect to any address of localhost');
  });

  it('Disabled: retries every 5 s without touching the counter, and goes online once enabled', async () => {
    const clock = new ManualClock();
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent('paused', 'disabled');
    const h = startAgent(configFor(fixture, keys), { clock }, cleanups);
    const waitingDisabled = (): boolean =>
      h.agent.snapshot().state.phase === 'disabled' && clock.pendingDelays().includes(5_000);
    for (let round = 0; round < 3; round += 1) {
      await until(waitingDisabled, 'the 5 s wait after Terminate{Disabled}');
      const state = h.agent.snapshot().state;
      expect(state).toEqual({ phase: 'disabled', nextAttemptAt: clock.now() + 5_000 });
      const before = h.states.length;
      clock.advance(5_000);
      await h.reached('connecting', before);
    }
    expect(h.logs.filter((r) => r.message === 'waiting 5s before connecting ...')).toHaveLength(3);
    fixture.registry.setStatus(keys.agentId, 'enabled');
    // The attempt in flight may already be let in; otherwise the next one, 5 s later, is.
    await until(() => waitingDisabled() || h.agent.snapshot().state.phase === 'online', 'a wait or online');
    clock.advance(5_000);
    await h.reached('online');
    await fixture.gateway.waitForAgent(keys.agentId);
  });
});

describe('agent engine: ping cadence (injected clock)', () => {
  it('pings after a quiet ping-frequency, keeps the connection while pongs come, reconnects on the second silent period', async () => {
    const clock = new ManualClock();
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const h = startAgent(configFor(fixture, keys, { pingFrequency: '45s' }), { clock }, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    await h.reached('online');
    const answered = (): number =>
      fixture.gateway.agents()[0]?.connections.find((c) => c.id === first.id)?.clientPingsAnswered ?? 0;

    await timerPending(clock, 45_000);
    clock.advance(45_000);
    await waitUntil(() => answered() === 1, 'the first ping answered');
    await until(() => h.agent.snapshot().counters.pingRttMs !== null, 'the ping RTT');
    await timerPending(clock, 45_000);
    clock.advance(45_000);
    await waitUntil(() => answered() === 2, 'the second ping answered');
    expect(h.logs.some((r) => r.message === 'no pong from server')).toBe(false);
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(first.id);
  });

  it('every event re-arms the timer: a data stream in the quiet period postpones the ping', async () => {
    const clock = new ManualClock();
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const target = await echo();
    const h = startAgent(configFor(fixture, keys, { pingFrequency: '45s' }), { clock }, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    await h.reached('online');
    await timerPending(clock, 45_000);
    clock.advance(30_000);
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target.port}`, { halfClose: true });
    stream.end('x');
    await readToEnd(stream);
    await until(() => h.agent.snapshot().counters.streamsOpen === 0, 'the stream to finish');
    await timerPending(clock, 45_000);
    clock.advance(30_000); // 60 s after the last ping-free start, but only 30 s after the stream
    expect(fixture.gateway.agents()[0]?.connections.find((c) => c.id === first.id)?.clientPingsAnswered).toBe(0);
    clock.advance(15_000);
    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections.find((c) => c.id === first.id)?.clientPingsAnswered ?? 0) === 1,
      'the postponed ping',
    );
  });

  it('no pong within a second ping-frequency → reconnect (immediately: Accepted had reset the counter)', async () => {
    const clock = new ManualClock();
    const fixture = await quietGatewayFixture(cleanups, { faults: { ignoreClientPings: true } });
    const keys = fixture.addAgent();
    const h = startAgent(configFor(fixture, keys, { pingFrequency: '45s' }), { clock }, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    await h.reached('online');
    await timerPending(clock, 45_000);
    clock.advance(45_000);
    await timerPending(clock, 45_000);
    const next = nextGatewayEvent(fixture.gateway, 'agent-accepted', (event) => event.connectionId !== first.id);
    clock.advance(45_000);
    await next;
    expect(await h.logged('no pong from server')).toMatchObject({ level: 'warn' });
    expect(h.logs.some((r) => r.message.startsWith('waiting '))).toBe(false);
    await until(() => h.agent.snapshot().counters.reconnects === 1, 'one reconnect counted');
  });
});

describe('agent engine: Test, streams, switch', () => {
  it('answers Test for an allowed, a disallowed and a closed address', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const target = await echo();
    startAgent(configFor(fixture, keys, { allowedAddresses: ['127.0.0.0/8'] }), {}, cleanups);
    await fixture.gateway.waitForAgent(keys.agentId);
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${target.port}`)).toEqual({ ok: true });
    expect(await fixture.gateway.test(keys.agentId, `10.1.2.3:${target.port}`)).toEqual({
      ok: false,
      code: 'AddressNotAllowed',
    });
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${await closedPort()}`)).toEqual({
      ok: false,
      code: 'CouldNotConnect',
    });
    await until(() => target.connections.length === 1, 'the test connection to reach the target');
  });

  it('testAddress checks the allowlist and connects, for the UI', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const target = await echo();
    const h = startAgent(
      configFor(fixture, fixture.addAgent(), { allowedAddresses: ['127.0.0.0/8', 'localhost'] }),
      {},
      cleanups,
    );
    expect(await h.agent.testAddress(`127.0.0.1:${target.port}`)).toMatchObject({
      ok: true,
      resolved: `127.0.0.1:${target.port}`,
    });
    expect(await h.agent.testAddress(`localhost:${target.port}`)).toMatchObject({
      ok: true,
      resolved: `127.0.0.1:${target.port}`,
    });
    expect(await h.agent.testAddress('db.example.com:5432')).toMatchObject({ ok: false, code: 'AddressNotAllowed' });
    expect(await h.agent.testAddress(`127.0.0.1:${await closedPort()}`)).toMatchObject({
      ok: false,
      code: 'CouldNotConnect',
    });
  });

  it('serves data streams and lists them with counters; refusals count as failed', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const target = await echo();
    const h = startAgent(configFor(fixture, keys, { allowedAddresses: ['127.0.0.0/8'] }), {}, cleanups);
    await fixture.gateway.waitForAgent(keys.agentId);
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target.port}`, { halfClose: true });
    stream.end('hello');
    expect((await readToEnd(stream)).toString()).toBe('hello');
    await expect(fixture.gateway.openStream(keys.agentId, '10.0.0.1:5432')).rejects.toThrow();
    await until(
      () => h.agent.snapshot().counters.streamsTotal === 2 && h.agent.snapshot().counters.streamsOpen === 0,
      'both streams done',
    );
    expect(h.agent.snapshot().counters).toMatchObject({ streamsFailed: 1, bytesToTarget: 5, bytesFromTarget: 5 });
    expect(h.agent.streams().map((s) => [s.target, s.phase, s.connection, s.draining])).toEqual([
      [`127.0.0.1:${target.port}`, 'closed', 1, false],
      ['10.0.0.1:5432', 'closed', 1, false],
    ]);
  });

  it('SwitchToNewConnection: the old connection drains its stream to completion, the new one is Accepted', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const target = await echo();
    const h = startAgent(configFor(fixture, keys), {}, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target.port}`, { halfClose: true });
    stream.write('before;');
    const switched = await fixture.gateway.switchConnection(keys.agentId);
    expect(switched.previousConnectionId).toBe(first.id);
    await until(
      () => h.agent.streams().some((s) => s.draining && s.phase === 'open'),
      'the stream to be marked draining',
    );
    expect(await h.logged('switching to new connection and draining the existing one')).toMatchObject({
      level: 'debug',
    });
    stream.end('after');
    expect((await readToEnd(stream)).toString()).toBe('before;after');
    await h.reached('online', 3);
    expect(h.agent.snapshot().counters.reconnects).toBe(1);
    const fresh = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target.port}`, { halfClose: true });
    fresh.end('new');
    expect((await readToEnd(fresh)).toString()).toBe('new');
    await until(() => h.agent.streams().filter((s) => s.phase === 'closed').length === 2, 'both streams closed');
    expect(h.agent.streams().map((s) => [s.connection, s.draining])).toEqual([
      [1, true],
      [2, false],
    ]);
  });
});

describe('agent engine: stopping', () => {
  it('stop() closes streams, sends GoAway and leaves no handle behind', async () => {
    const baseline = process.getActiveResourcesInfo().length;
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const target = await echo();
    const h = startAgent(configFor(fixture, keys), {}, cleanups);
    await fixture.gateway.waitForAgent(keys.agentId);
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${target.port}`, { halfClose: true });
    stream.write('open');
    stream.on('error', () => undefined);
    await until(() => h.agent.snapshot().counters.streamsOpen === 1, 'the stream to be open');
    const closed = nextGatewayEvent(fixture.gateway, 'connection-closed');
    await h.agent.stop();
    expect((await closed).error).toBeNull(); // GoAway(0), not a lost connection
    expect(h.agent.snapshot().state).toEqual({ phase: 'stopped' });
    expect(await h.agent.done).toEqual({ phase: 'stopped' });
    expect(h.agent.streams()[0]).toMatchObject({ phase: 'closed' });
    // With the gateway and the target gone too, every socket and timer of the agent must be gone.
    await fixture.close();
    await target.close();
    await until(() => process.getActiveResourcesInfo().length <= baseline, 'handles back to the baseline');
  });

  it('stop() while backing off cancels the wait at once', async () => {
    const clock = new ManualClock();
    const port = await closedPort();
    const h = startAgent(
      parseAgentConfig(
        `secret-key = "${generateKeyPair().secretKey.exportBase64url()}"\n[server]\nhost = "localhost"\nport = ${port}\n`,
        { file: null, env: {} },
      ),
      { clock },
      cleanups,
    );
    await timerPending(clock, 2_000);
    await h.agent.stop();
    expect(clock.pendingDelays()).toEqual([]);
    expect(h.agent.snapshot().state.phase).toBe('stopped');
  });

  it('never logs the secret key, even at trace level', async () => {
    const fixture = await quietGatewayFixture(cleanups, { pingIntervalMs: 20 });
    const keys = fixture.addAgent();
    const target = await echo();
    const h = startAgent(configFor(fixture, keys), {}, cleanups);
    const viaEvents: string[] = [];
    h.agent.on('log', (record) => viaEvents.push(JSON.stringify(record)));
    await fixture.gateway.waitForAgent(keys.agentId);
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${target.port}`)).toEqual({ ok: true });
    await fixture.gateway.switchConnection(keys.agentId);
    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections.at(-1)?.serverPingsAnswered ?? 0) >= 2,
      'pings on the new connection',
    );
    await h.agent.stop();
    const secret = keys.secretKey.exportBase64url();
    expect(h.logs.length).toBeGreaterThan(10);
    expect(viaEvents.length).toBeGreaterThan(5);
    for (const text of [...h.logs.map((r) => JSON.stringify(r)), ...viaEvents]) expect(text).not.toContain(secret);
  }, 60_000);
});

/**
 * Data streams through the real reference agent: a `pg` client → gateway route → reference
 * agent → embedded PostgreSQL; Test and stream refusals (AddressNotAllowed, CouldNotConnect);
 * half-close versus full close; a large transfer with backpressure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type Server, type Socket, connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REGIONS, type EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/cli/embedded-postgres.js';
import { StreamOpenError } from '../../../src/gateway/errors.js';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { type AgentProcess, REFERENCE_AGENT, spawnAgent } from '../../support/reference-agent.js';
import { closedLoopbackPort, listenLoopback } from '../../support/loopback.js';

let fixture: GatewayFixture;
let keys: KeyPair;
let agent: AgentProcess;
let database: EmbeddedPostgres;
const servers: Server[] = [];

/** A TCP server on loopback; resolves with its port. */
async function listen(
  onConnection: (socket: Socket) => void,
  options: { allowHalfOpen?: boolean } = {},
): Promise<number> {
  const { server, port } = await listenLoopback(onConnection, options);
  servers.push(server);
  return port;
}

/** Connects to a local port, writes `payload`, half-closes, and collects everything until the end. */
async function exchange(port: number, payload: Buffer): Promise<Buffer> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.end(payload);
  await once(socket, 'end');
  socket.destroy();
  return Buffer.concat(chunks);
}

/**
 * The agent may put its RST before its error reply (yamux 0.10, see the reference README), so
 * a refusal is either the reply with its code or a reset without one. Retries until a reply
 * with a code came; every attempt must fail.
 */
async function refusalCode(target: string): Promise<string | null> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const error = await fixture.gateway.openStream(keys.agentId, target).then(
      (stream) => {
        stream.destroy();
        throw new Error(`the agent opened a stream to ${target}`);
      },
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StreamOpenError);
    const failure = error as StreamOpenError;
    expect(['refused', 'reset-without-reply']).toContain(failure.outcome);
    if (failure.outcome === 'refused') return failure.errorCode;
  }
  return null;
}

beforeAll(async () => {
  database = await startEmbeddedPostgres();
  fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
  keys = fixture.addAgent('db-agent');
  // Loopback only: 10.0.0.0/8 and names are not allowed.
  agent = await spawnAgent(
    REFERENCE_AGENT,
    fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.0/8'], connectTimeout: '5s' }),
    { logFilter: 'cluvio_agent=info' },
  );
  await fixture.gateway.waitForAgent(keys.agentId);
});

afterAll(async () => {
  await agent.stop();
  await fixture.close();
  await database.stop();
  for (const server of servers) server.close();
});

describe('reference agent ↔ gateway: data streams', () => {
  it('a pg client reaches PostgreSQL through a route and reads the demo rows', async () => {
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `127.0.0.1:${database.port}` });
    const client = new pg.Client({
      host: '127.0.0.1',
      port: route.port,
      user: database.user,
      database: database.database,
    });
    await client.connect();
    const result = await client.query<{ id: number; name: string; revenue: number }>(
      'SELECT id, name, revenue FROM regions ORDER BY id',
    );
    await client.end();
    await route.close();
    expect(result.rows).toEqual(DEMO_REGIONS);
  });

  it('50 pg clients at once each get their own stream and the right rows', async () => {
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `127.0.0.1:${database.port}` });
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        const client = new pg.Client({
          host: '127.0.0.1',
          port: route.port,
          user: database.user,
          database: database.database,
        });
        await client.connect();
        const result = await client.query<{ name: string; n: number }>(
          'SELECT name, $1::int AS n FROM regions WHERE id = $2',
          [index, (index % 3) + 1],
        );
        await client.end();
        return result.rows[0];
      }),
    );
    expect(route.info()).toMatchObject({ acceptedConnections: 50, failedConnections: 0 });
    await route.close();
    results.forEach((row, index) => {
      expect(row).toEqual({ name: DEMO_REGIONS[index % 3]?.name, n: index });
    });
  });

  it('Test reports an allowed open address as reachable, and refusals with their codes', async () => {
    const open = await listen((socket) => socket.destroy());
    const closed = await closedLoopbackPort();
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${open}`)).toEqual({ ok: true });
    expect(await fixture.gateway.test(keys.agentId, '10.1.2.3:5432')).toEqual({ ok: false, code: 'AddressNotAllowed' });
    expect(await fixture.gateway.test(keys.agentId, 'db.internal:5432')).toEqual({
      ok: false,
      code: 'AddressNotAllowed',
    });
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${closed}`)).toEqual({
      ok: false,
      code: 'CouldNotConnect',
    });
  });

  it('a stream to a disallowed address is refused with AddressNotAllowed', async () => {
    expect(await refusalCode('10.1.2.3:5432')).toBe('AddressNotAllowed');
  });

  it('a stream to a closed port is refused with CouldNotConnect', async () => {
    expect(await refusalCode(`127.0.0.1:${await closedLoopbackPort()}`)).toBe('CouldNotConnect');
  });

  it('half-close: the target still answers after the client has half-closed', async () => {
    // Reads until EOF, then answers with what it counted and closes.
    const port = await listen(
      (socket) => {
        let received = 0;
        socket.on('data', (chunk: Buffer) => (received += chunk.length));
        socket.on('end', () => socket.end(`received ${received}`));
      },
      { allowHalfOpen: true },
    );
    const route = await fixture.gateway.openRoute({
      agentId: keys.agentId,
      target: `127.0.0.1:${port}`,
      halfClose: true,
    });
    const answer = await exchange(route.port, randomBytes(100_000));
    await route.close();
    expect(answer.toString()).toBe('received 100000');
  });

  it('full close (the default): the client half-closing ends the whole transfer', async () => {
    const port = await listen(
      (socket) => {
        socket.on('error', () => undefined);
        socket.on('end', () => socket.end('too late'));
        socket.resume();
      },
      { allowHalfOpen: true },
    );
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `127.0.0.1:${port}` });
    const answer = await exchange(route.port, Buffer.from('question'));
    await route.close();
    expect(answer.toString()).toBe('');
  });

  it('a large transfer arrives intact in both directions (backpressure, flow control)', async () => {
    const port = await listen((socket) => socket.pipe(socket), { allowHalfOpen: true });
    const route = await fixture.gateway.openRoute({
      agentId: keys.agentId,
      target: `127.0.0.1:${port}`,
      halfClose: true,
    });
    const payload = randomBytes(8 * 1024 * 1024);
    const echoed = await exchange(route.port, payload);
    await route.close();
    expect(echoed.length).toBe(payload.length);
    expect(createHash('sha256').update(echoed).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('an opened stream is a Duplex of raw bytes and shows in the streams listing while open', async () => {
    const port = await listen((socket) => socket.pipe(socket));
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${port}`, { origin: 'test' });
    const listed = fixture.gateway.streams();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      agentId: keys.agentId,
      target: `127.0.0.1:${port}`,
      origin: 'test',
      phase: 'open',
      halfClose: false,
    });
    stream.write('ping');
    const [data] = (await once(stream, 'data')) as [Buffer];
    expect(data.toString()).toBe('ping');
    stream.end();
    await once(stream, 'close');
    expect(fixture.gateway.streams()).toEqual([]);
  });
});

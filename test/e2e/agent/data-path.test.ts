/**
 * The whole data path with our agent as a real process: a `pg` client → gateway route → our
 * `cluvio-agent` (node dist/src/cli/agent.js) → embedded PostgreSQL; 50 concurrent clients;
 * Test; refusals (our agent always sends its reply before closing: no "reset without reply");
 * half-close; a large transfer both ways.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type Server, type Socket, connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REGIONS, type EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/cli/embedded-postgres.js';
import { StreamOpenError } from '../../../src/gateway/errors.js';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { startOurAgent } from '../../support/agent-fixture.js';
import { type GatewayFixture, startGatewayFixture, waitUntil } from '../../support/gateway-fixture.js';
import type { AgentProcess } from '../../support/reference-agent.js';
import { closedLoopbackPort, listenLoopback } from '../../support/loopback.js';

let fixture: GatewayFixture;
let keys: KeyPair;
let agent: AgentProcess;
let database: EmbeddedPostgres;
const servers: Server[] = [];

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const { server, port } = await listenLoopback(onConnection, { allowHalfOpen: true });
  servers.push(server);
  return port;
}

/** The agent's refusal as the gateway sees it: with our agent always a reply with a code. */
async function refusal(target: string): Promise<StreamOpenError> {
  const error: unknown = await fixture.gateway.openStream(keys.agentId, target).then(
    (stream) => {
      stream.destroy();
      throw new Error(`the agent opened a stream to ${target}`);
    },
    (failure: unknown) => failure,
  );
  if (!(error instanceof StreamOpenError)) throw error;
  return error;
}

beforeAll(async () => {
  database = await startEmbeddedPostgres();
  fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
  keys = fixture.addAgent('db-agent');
  agent = await startOurAgent(fixture, keys, { allowedAddresses: ['127.0.0.0/8', 'localhost'] });
  await fixture.gateway.waitForAgent(keys.agentId);
});

afterAll(async () => {
  await agent.stop();
  await fixture.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await database.stop();
});

describe('our agent (process) ↔ gateway ↔ PostgreSQL', () => {
  it('logs up and running with its agent id and version 1.3.0', async () => {
    await agent.waitForOutput(new RegExp(`up and running agent=${keys.agentId} version=1\\.3\\.0`));
    expect(agent.output()).toMatch(/INFO cluvio_agent: configuration path="[^"]+cluvio-agent\.toml"/);
  });

  it('runs queries through a route and gets the demo rows back', async () => {
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `127.0.0.1:${database.port}` });
    try {
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
      expect(result.rows).toEqual(DEMO_REGIONS);
      await client.end();
    } finally {
      await route.close();
    }
  });

  it('serves 50 concurrent client connections (by name, resolved by the agent)', async () => {
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `localhost:${database.port}` });
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const client = new pg.Client({
            host: '127.0.0.1',
            port: route.port,
            user: database.user,
            database: database.database,
          });
          await client.connect();
          const result = await client.query<{ total: number; n: number }>(
            'SELECT sum(revenue)::int AS total, $1::int AS n FROM regions',
            [i],
          );
          await client.end();
          return result.rows[0];
        }),
      );
      const total = DEMO_REGIONS.reduce((sum, r) => sum + r.revenue, 0);
      expect(results).toEqual(Array.from({ length: 50 }, (_, n) => ({ total, n })));
    } finally {
      await route.close();
    }
    await waitUntil(() => fixture.gateway.streams().length === 0, 'every stream to close');
  });

  it('answers Test: allowed, not allowed, closed port', async () => {
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${database.port}`)).toEqual({ ok: true });
    expect(await fixture.gateway.test(keys.agentId, '10.0.0.1:5432')).toEqual({ ok: false, code: 'AddressNotAllowed' });
    expect(await fixture.gateway.test(keys.agentId, `127.0.0.1:${await closedLoopbackPort()}`)).toEqual({
      ok: false,
      code: 'CouldNotConnect',
    });
  });

  it('refuses a disallowed target with AddressNotAllowed and a closed port with CouldNotConnect, reply first every time', async () => {
    const closed = await closedLoopbackPort();
    for (let i = 0; i < 10; i += 1) {
      const notAllowed = await refusal('10.0.0.1:5432');
      expect([notAllowed.outcome, notAllowed.errorCode]).toEqual(['refused', 'AddressNotAllowed']);
      const cannot = await refusal(`127.0.0.1:${closed}`);
      expect([cannot.outcome, cannot.errorCode]).toEqual(['refused', 'CouldNotConnect']);
    }
    // Names never match networks: `db.internal` is not in the allowlist even if it resolved into 127/8.
    expect((await refusal('db.internal:5432')).errorCode).toBe('AddressNotAllowed');
    await agent.waitForOutput(/ERROR cluvio_agent::stream: address not allowed address=10\.0\.0\.1:5432/);
  });

  it('half-close: the target sees the request end and still answers', async () => {
    const port = await listen((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => {
        socket.end(`got ${Buffer.concat(chunks).length} bytes`);
      });
    });
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${port}`, { halfClose: true });
    const reply: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => reply.push(chunk));
    stream.end(Buffer.alloc(1000, 1));
    await once(stream, 'end');
    expect(Buffer.concat(reply).toString()).toBe('got 1000 bytes');
  });

  it('moves 16 MiB each way intact through a route', async () => {
    const port = await listen((socket) => socket.pipe(socket));
    const route = await fixture.gateway.openRoute({
      agentId: keys.agentId,
      target: `127.0.0.1:${port}`,
      halfClose: true,
    });
    try {
      const payload = randomBytes(16 * 1024 * 1024);
      const socket = connect({ host: '127.0.0.1', port: route.port, allowHalfOpen: true });
      await once(socket, 'connect');
      const hash = createHash('sha256');
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        received += chunk.length;
      });
      socket.end(payload);
      await once(socket, 'end');
      socket.destroy();
      expect(received).toBe(payload.length);
      expect(hash.digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    } finally {
      await route.close();
    }
  });
});

/**
 * The demo's moving parts, all on this machine: an embedded PostgreSQL, a gateway with a fresh
 * private CA and a certificate for `localhost`, and our agent engine in this process (a fresh
 * key pair, an allowlist holding only the database's address), joined by a gateway route.
 *
 * The agent runs in-process (the `Agent` class the desktop app uses) rather than as a
 * `cluvio-agent` child: one process to start and to stop on Ctrl-C, nothing to orphan, and its
 * state events are at hand. The CLI path is covered by the agent's own end-to-end tests.
 */
import pg from 'pg';
import { AgentRegistry } from '../gateway/agent-registry.js';
import { generateCertificateAuthority, issueServerCertificate } from '../gateway/certificates.js';
import { Gateway, type RouteHandle, type TestResult } from '../gateway/gateway.js';
import { Agent } from '../tunnel/agent/index.js';
import { generateKeyPair } from '../tunnel/auth/index.js';
import { parseAgentConfig } from '../tunnel/config/index.js';
import type { LogHub } from '../tunnel/log/index.js';
import { DEMO_REGIONS, type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.js';

export const DEMO_QUERY = 'SELECT id, name, revenue FROM regions ORDER BY id';

/** An address the agent's allowlist does not hold, to show a refusal. */
export const DEMO_FORBIDDEN_TARGET = '10.0.0.1:5432';

export interface DemoRow {
  readonly id: number;
  readonly name: string;
  readonly revenue: number;
}

export interface DemoSession {
  readonly database: EmbeddedPostgres;
  readonly gateway: Gateway;
  readonly agentId: string;
  readonly allowedAddresses: readonly string[];
  readonly connectionId: number;
  readonly route: RouteHandle;
  readonly rows: readonly DemoRow[];
  readonly forbidden: TestResult;
  /** `psql` reaching the database through the route. */
  readonly psqlCommand: string;
  stop(): Promise<void>;
}

/** Starts everything and runs the query through the tunnel; on failure, stops what started. */
export async function startDemo(log: LogHub): Promise<DemoSession> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const database = await startEmbeddedPostgres();
    stops.push(() => database.stop());

    const ca = await generateCertificateAuthority('Cluvio demo CA');
    const certificate = await issueServerCertificate(ca, ['localhost']);
    const keys = generateKeyPair();
    const registry = new AgentRegistry([{ id: keys.agentId, name: 'demo-agent', status: 'enabled' }]);
    const gateway = await Gateway.start({
      listen: { host: '127.0.0.1', port: 0 },
      tls: certificate,
      agents: registry,
      log,
    });
    stops.push(() => gateway.close());

    const allowedAddresses = [`${database.host}/32`];
    const config = parseAgentConfig(
      [
        `secret-key = "${keys.secretKey.exportBase64url()}"`,
        `allowed-addresses = [${allowedAddresses.map((entry) => `"${entry}"`).join(', ')}]`,
        '[server]',
        'host = "localhost"',
        `port = ${gateway.port}`,
        `trust = '''\n${ca.certPem.trim()}\n'''`,
      ].join('\n'),
      { file: null, env: {} },
    );
    const agent = new Agent({ config, log });
    stops.push(() => agent.stop());
    agent.start();
    const connection = await gateway.waitForAgent(keys.agentId, { timeoutMs: 30_000 });

    const route = await gateway.openRoute({ agentId: keys.agentId, target: `${database.host}:${database.port}` });
    stops.push(() => route.close());
    const client = new pg.Client({
      host: '127.0.0.1',
      port: route.port,
      user: database.user,
      database: database.database,
    });
    await client.connect();
    let rows: DemoRow[];
    try {
      rows = (await client.query<DemoRow>(DEMO_QUERY)).rows;
    } finally {
      await client.end();
    }
    if (rows.length !== DEMO_REGIONS.length)
      throw new Error(`expected ${DEMO_REGIONS.length} rows through the tunnel, got ${rows.length}`);
    const forbidden = await gateway.test(keys.agentId, DEMO_FORBIDDEN_TARGET);

    return {
      database,
      gateway,
      agentId: keys.agentId,
      allowedAddresses,
      connectionId: connection.id,
      route,
      rows,
      forbidden,
      psqlCommand: `psql -h 127.0.0.1 -p ${route.port} -U ${database.user} ${database.database}`,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

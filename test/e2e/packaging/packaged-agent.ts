/**
 * What the packaging tests do with a packaged `cluvio-agent` (the single executable, the npm
 * install, the container's entrypoint): run it as a user would — a command found on PATH, in a
 * folder of its own, with a clean environment — and check the whole path: a real gateway
 * (test/support/gateway-fixture.ts), a real PostgreSQL (PGlite) behind the agent, and a `pg`
 * query through a gateway route, as the demo does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { DEMO_REGIONS, startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/cli/embedded-postgres.js';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

export interface CommandRun {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  stdout(): string;
  stderr(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
  /** SIGTERM (SIGKILL after 10 s); resolves to the exit status. */
  stop(): Promise<number | null>;
}

/** Starts `command` with exactly `env` (nothing inherited) in `cwd`. */
export function startCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): CommandRun {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let all = '';
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    all += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    all += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve(code);
    });
  });
  let closed = false;
  void exited.then(
    () => (closed = true),
    () => (closed = true),
  );
  return {
    child,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    async waitForOutput(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(all)) {
        if (closed) throw new Error(`${command} exited before printing ${String(pattern)}:\n${all}`);
        if (Date.now() > deadline) throw new Error(`${command} did not print ${String(pattern)} in time:\n${all}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    exited,
    async stop() {
      if (!closed) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exited;
    },
  };
}

/** Runs `command` to its end; resolves to its status and output. */
export async function runToEnd(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }> {
  const run = startCommand(command, args, cwd, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

export interface TunnelTarget {
  readonly gateway: GatewayFixture;
  readonly database: EmbeddedPostgres;
  /** Registered and enabled at the gateway. */
  readonly keys: KeyPair;
  /** A cluvio-agent.toml for `keys` that reaches the gateway and allows only the database. */
  readonly configToml: string;
  /** Waits for the agent, opens a route to the database and runs the demo's query through it. */
  queryThroughAgent(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startTunnelTarget(): Promise<TunnelTarget> {
  const database = await startEmbeddedPostgres();
  const gateway = await startGatewayFixture();
  const keys = gateway.addAgent('packaged-agent');
  return {
    gateway,
    database,
    keys,
    configToml: gateway.agentConfigToml(keys, { allowedAddresses: [`${database.host}/32`] }),
    async queryThroughAgent() {
      await gateway.gateway.waitForAgent(keys.agentId, { timeoutMs: 30_000 });
      const route = await gateway.gateway.openRoute({
        agentId: keys.agentId,
        target: `${database.host}:${database.port}`,
      });
      const client = new pg.Client({
        host: '127.0.0.1',
        port: route.port,
        user: database.user,
        database: database.database,
      });
      try {
        await client.connect();
        return (await client.query<Record<string, unknown>>('SELECT id, name, revenue FROM regions ORDER BY id')).rows;
      } finally {
        await client.end().catch(() => undefined);
        await route.close();
      }
    },
    async close() {
      await gateway.close();
      await database.stop();
    },
  };
}

/** The rows the query returns when it went through the tunnel to the seeded database. */
export const EXPECTED_ROWS: readonly unknown[] = DEMO_REGIONS;

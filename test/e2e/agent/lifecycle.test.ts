/**
 * Our `cluvio-agent` process through its life: Terminate reasons and exit codes, Disabled
 * retries, pings without pongs, SwitchToNewConnection during a transfer, SIGINT/SIGTERM, TLS
 * refusals, configuration errors and log output options.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { issueServerCertificate } from '../../../src/gateway/certificates.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { type Cleanups, spawnOurAgent, startOurAgent } from '../../support/agent-fixture.js';
import {
  agentConfigToml,
  nextGatewayEvent,
  quietGatewayFixture,
  startGatewayFixture,
  waitUntil,
} from '../../support/gateway-fixture.js';
import { OUR_AGENT_CLI, spawnAgent } from '../../support/reference-agent.js';

const cleanups: Cleanups = [];
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

/** Runs the CLI with `args` to its end (for configuration errors, which exit at once). */
async function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [node, ...script] = OUR_AGENT_CLI.command; // node, its flags, the script
  if (node === undefined || script.length === 0) throw new Error('no CLI command');
  const child = spawn(node, [...script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-agent-e2e-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('our agent process: the gateway ends it', () => {
  it('an unknown key gets Terminate{Unauthorized}: exit 1 with the reference message', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    fixture.addAgent();
    const stranger = generateKeyPair();
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const agent = await startOurAgent(fixture, stranger, {}, cleanups);
    expect(await rejected).toMatchObject({ agentId: stranger.agentId, reason: 'Unauthorized' });
    expect(await agent.exited).toEqual({ code: 1, signal: null });
    expect(agent.stderr()).toBe('agent was terminated by gateway: unauthorized agent\n');
    expect(agent.output()).toMatch(
      /ERROR cluvio_agent::agent: connection terminated by gateway id=[0-9a-f]{16} reason=Unauthorized/,
    );
  });

  it('a disabled agent is retried every 5 s (Terminate{Disabled}) and comes online once enabled', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent('paused', 'disabled');
    const agent = await startOurAgent(fixture, keys, {}, cleanups);
    await agent.waitForOutput(/waiting 5s before connecting \.\.\./);
    const second = agent.output().length;
    await agent.waitForOutput(/connection terminated by gateway .*reason=Disabled/, { from: second });
    fixture.registry.setStatus(keys.agentId, 'enabled');
    await fixture.gateway.waitForAgent(keys.agentId, { timeoutMs: 20_000 });
    expect(agent.count(/waiting 5s before connecting/)).toBeGreaterThanOrEqual(2);
    expect(agent.count(/waiting [0-9]+s before connecting/)).toBe(agent.count(/waiting 5s before connecting/));
    expect(agent.child.exitCode).toBeNull();
  });

  it('reconnects when its pings go unanswered (gateway fault: ignoreClientPings)', async () => {
    const fixture = await quietGatewayFixture(cleanups, { faults: { ignoreClientPings: true } });
    const keys = fixture.addAgent();
    const agent = await startOurAgent(fixture, keys, { pingFrequency: '300ms' }, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    const second = await nextGatewayEvent(
      fixture.gateway,
      'agent-accepted',
      (event) => event.connectionId !== first.id,
    );
    expect(second.agentId).toBe(keys.agentId);
    await agent.waitForOutput(/WARN cluvio_agent::agent: no pong from server id=[0-9a-f]{16}/);
  });
});

describe('our agent process: SwitchToNewConnection', () => {
  it('a transfer in flight completes on the old connection while the new one is Accepted', async () => {
    const fixture = await quietGatewayFixture(cleanups, { pingIntervalMs: 200 });
    const keys = fixture.addAgent();
    const agent = await startOurAgent(fixture, keys, {}, cleanups);
    const first = await fixture.gateway.waitForAgent(keys.agentId);
    const target = await echoServer();
    const route = await fixture.gateway.openRoute({ agentId: keys.agentId, target: `127.0.0.1:${target}` });
    cleanups.push(() => route.close());
    const client = connect({ host: '127.0.0.1', port: route.port });
    cleanups.push(async () => {
      client.destroy();
      await Promise.resolve();
    });
    client.setEncoding('utf8');
    let received = '';
    client.on('data', (text: string) => (received += text));
    client.write('before the switch;');
    await waitUntil(() => received === 'before the switch;', 'the first part');

    const oldClosed = nextGatewayEvent(
      fixture.gateway,
      'connection-closed',
      (event) => event.connectionId === first.id,
    );
    const switched = await fixture.gateway.switchConnection(keys.agentId);
    expect(switched.previousConnectionId).toBe(first.id);
    const [info] = fixture.gateway.agents();
    expect(info?.connections.find((c) => c.id === first.id)).toMatchObject({ phase: 'draining', openStreams: 1 });
    expect(info?.connections.find((c) => c.id === switched.currentConnectionId)).toMatchObject({ phase: 'accepted' });

    client.write('after the switch');
    await waitUntil(
      () => received === 'before the switch;after the switch',
      'the second part, through the old connection',
    );
    client.end();
    await oldClosed; // the gateway closes the drained connection once its stream is done
    await agent.waitForOutput(/switching to new connection and draining the existing one/);
    expect(agent.child.exitCode).toBeNull();
  });
});

describe('our agent process: signals', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s closes streams, sends GoAway and exits 0', async (signal) => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const agent = await startOurAgent(fixture, keys, {}, cleanups);
    const connection = await fixture.gateway.waitForAgent(keys.agentId);
    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${await echoServer()}`);
    stream.on('error', () => undefined);
    const closed = nextGatewayEvent(
      fixture.gateway,
      'connection-closed',
      (event) => event.connectionId === connection.id,
    );
    const streamEnded = new Promise((resolve) => stream.once('close', resolve));
    agent.child.kill(signal);
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect((await closed).error).toBeNull(); // GoAway(0), not a dropped connection
    await streamEnded;
    expect(agent.output()).toMatch(new RegExp(`INFO cluvio_agent: shutting down signal=${signal}`));
  });
});

describe('our agent process: TLS', () => {
  it('refuses a gateway certificate that is not in its trust store', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const other = await startGatewayFixture();
    cleanups.push(() => other.close());
    const agent = await startOurAgent(fixture, keys, { trustPem: other.ca.certPem }, cleanups);
    await agent.waitForOutput(
      new RegExp(
        `WARN cluvio_agent::agent: failed to connect to localhost:${fixture.port} err=i/o error: could not connect to any address of localhost`,
      ),
    );
    await agent.waitForOutput(/waiting 2s before connecting/);
    expect(fixture.gateway.agents()[0]?.online).toBe(false);
    expect(agent.output()).toMatch(/DEBUG cluvio_agent::tls: failed to connect to 127\.0\.0\.1:\d+ \(localhost\): /);
  });

  it('refuses a TLS 1.2-only server', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const leaf = await issueServerCertificate(fixture.ca, ['localhost']);
    const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem, maxVersion: 'TLSv1.2' }, (socket) =>
      socket.destroy(),
    );
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as AddressInfo).port;
    const agent = await startOurAgent(fixture, fixture.addAgent(), { port }, cleanups);
    const line = await agent.waitForOutput(/DEBUG cluvio_agent::tls: failed to connect to 127\.0\.0\.1/);
    expect(line).toMatch(/protocol version|alert/i);
    await agent.waitForOutput(new RegExp(`failed to connect to localhost:${port} err=`));
  });
});

describe('our agent process: configuration and logs', () => {
  it('a bad configuration exits 1 with a config: message', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'cluvio-agent.toml');
    await writeFile(file, 'secret-key = "nope"\n[server]\nhost = "localhost"\n');
    const result = await runCli(['-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^config: .*secret-key: invalid length/);
  });

  it('an undecodable trust certificate exits 1 before connecting (the reference: agent: tls error)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'cluvio-agent.toml');
    const garbage = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate at all, just text').toString('base64')}\n-----END CERTIFICATE-----`;
    await writeFile(
      file,
      agentConfigToml({
        secretKey: generateKeyPair().secretKey.exportBase64url(),
        host: 'localhost',
        port: 1,
        trustPem: garbage,
      }),
    );
    const result = await runCli(['-c', file]);
    expect(result.code).toBe(1);
    // Our config loader checks each certificate, so the refusal comes as a config error naming the key.
    expect(result.stderr).toMatch(/^config: .*server\.trust.*not a DER X\.509 certificate/);
    expect(result.stdout).not.toMatch(/connecting to/);
  });

  it('-l filters records by module and level', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const agent = await spawnOurAgent(
      fixture.agentConfigToml(keys),
      { logFilter: 'cluvio_agent::agent=info' },
      cleanups,
    );
    await fixture.gateway.waitForAgent(keys.agentId);
    await agent.waitForOutput(/up and running/);
    expect(agent.output()).not.toMatch(/DEBUG|cluvio_agent: configuration/);
  });

  it('-j writes JSON lines in the reference layout, and the secret never appears even at trace level', async () => {
    const fixture = await quietGatewayFixture(cleanups, { pingIntervalMs: 50 });
    const keys = fixture.addAgent();
    const jsonCli = { name: 'cluvio-agent -j', command: [...OUR_AGENT_CLI.command, '-j'] };
    const agent = await spawnAgent(jsonCli, fixture.agentConfigToml(keys), { logFilter: 'trace' });
    cleanups.push(() => agent.stop());
    await fixture.gateway.waitForAgent(keys.agentId);
    await agent.waitForOutput(/"up and running"/);
    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections[0]?.serverPingsAnswered ?? 0) >= 2,
      'two pings answered',
    );
    await agent.stop();
    const records = agent
      .output()
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { timestamp: string; level: string; fields: Record<string, unknown>; target: string },
      );
    expect(records.find((r) => r.fields.message === 'up and running')).toMatchObject({
      level: 'INFO',
      target: 'cluvio_agent::agent',
      fields: { agent: keys.agentId, version: '1.3.0' },
    });
    expect(Object.keys(records[0] ?? {})).toEqual(['timestamp', 'level', 'fields', 'target']);
    expect(records.some((r) => r.level === 'TRACE')).toBe(true);
    expect(agent.output()).not.toContain(keys.secretKey.exportBase64url());
  });
});

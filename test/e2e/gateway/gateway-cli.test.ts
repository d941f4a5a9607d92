/**
 * `cluvio-gateway` as an operator uses it, as real processes: `init` writes a complete setup,
 * `serve` runs it, the reference agent connects with the written `cluvio-agent.toml`, and the
 * operator subcommands list, test, route, switch, disable and enable through the admin API.
 * SIGHUP reloads the agents file; SIGTERM shuts everything down with exit status 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentInfo, RouteInfo } from '../../../src/gateway/index.js';
import { parseRegistryToml } from '../../../src/gateway/registry-file.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { waitUntil } from '../../support/gateway-fixture.js';
import { type AgentProcess, OUR_AGENT_CLI, REFERENCE_AGENT, spawnAgent } from '../../support/reference-agent.js';
import { repoRoot } from '../../support/vectors.js';

const CLI = path.join(repoRoot, 'dist/src/cli/gateway.js');

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let dir = '';
let serve: ChildProcess;
let serveOutput = '';
let agent: AgentProcess;
let echoPort = 0;
const echo = createServer((socket) => socket.pipe(socket));

function gatewayCli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function agents(): Promise<AgentInfo[]> {
  const result = await gatewayCli('agents', '--json');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as AgentInfo[];
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`);
  dir = await mkdtemp(path.join(tmpdir(), 'cluvio-gateway-cli-'));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as AddressInfo).port;
});

afterAll(async () => {
  await agent.stop();
  if (serve.exitCode === null) {
    serve.kill('SIGKILL');
    await once(serve, 'close');
  }
  echo.close();
  await rm(dir, { recursive: true, force: true });
});

describe('cluvio-gateway CLI', () => {
  it('init writes a CA, a certificate, the agents file, gateway.toml and a ready agent config (private files 0600)', async () => {
    const result = await gatewayCli(
      'init',
      '--host',
      'localhost',
      '--dir',
      dir,
      '--port',
      String(await freePort()),
      '--agent-name',
      'warehouse',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/agent id: [A-Za-z0-9_-]{43}/);
    for (const [file, mode] of [
      ['ca.key', 0o600],
      ['server.key', 0o600],
      ['cluvio-agent.toml', 0o600],
      ['ca.crt', 0o644],
      ['server.crt', 0o644],
      ['gateway.toml', 0o644],
      ['agents.toml', 0o644],
    ] as const) {
      expect((await stat(path.join(dir, file))).mode & 0o777, file).toBe(mode);
    }
    const agentToml = await readFile(path.join(dir, 'cluvio-agent.toml'), 'utf8');
    expect(agentToml).toContain((await readFile(path.join(dir, 'ca.crt'), 'utf8')).trim());
    expect(agentToml).toMatch(/host = "localhost"/);

    const again = await gatewayCli('init', '--host', 'localhost', '--dir', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; pass --force to overwrite/);
  });

  it('serve runs the gateway; the reference agent connects with the written config', async () => {
    serve = spawn(process.execPath, [CLI, 'serve', '-c', 'gateway.toml'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve.stdout?.setEncoding('utf8').on('data', (chunk: string) => (serveOutput += chunk));
    serve.stderr?.setEncoding('utf8').on('data', (chunk: string) => (serveOutput += chunk));
    await waitUntil(
      () => existsSync(path.join(dir, 'gateway.admin.json')) && serveOutput.includes('gateway running'),
      'the gateway is running',
    );
    expect((await stat(path.join(dir, 'gateway.admin.json'))).mode & 0o777).toBe(0o600);

    agent = await spawnAgent(REFERENCE_AGENT, await readFile(path.join(dir, 'cluvio-agent.toml'), 'utf8'));
    await waitUntil(() => serveOutput.includes('agent accepted'), 'the agent is accepted');
    const [warehouse] = await agents();
    expect(warehouse).toMatchObject({ name: 'warehouse', status: 'enabled', online: true });
    const table = await gatewayCli('agents');
    expect(table.stdout).toMatch(/warehouse\s+enabled\s+online\s+#\d+ accepted \(current\)/);
  });

  it('test, route add, streams and routes', async () => {
    const reachable = await gatewayCli('test', 'warehouse', `127.0.0.1:${echoPort}`);
    expect(reachable).toMatchObject({ code: 0, stdout: `127.0.0.1:${echoPort}: reachable\n` });
    const closed = await gatewayCli('test', 'warehouse', `127.0.0.1:${await freePort()}`);
    expect(closed.code).toBe(1);
    expect(closed.stdout).toMatch(/could not connect/);

    const added = await gatewayCli(
      'route',
      'add',
      '--agent',
      'warehouse',
      '--target',
      `127.0.0.1:${echoPort}`,
      '--json',
    );
    expect(added.code).toBe(0);
    const route = JSON.parse(added.stdout) as RouteInfo;
    const client = connect({ host: '127.0.0.1', port: route.port });
    client.setEncoding('utf8');
    client.write('through the tunnel');
    const [answer] = (await once(client, 'data')) as [string];
    expect(answer).toBe('through the tunnel');
    const streams = await gatewayCli('streams');
    expect(streams.stdout).toContain(`127.0.0.1:${echoPort}`);
    expect(streams.stdout).toContain(`route ${route.id}`);
    client.end();
    await once(client, 'close');

    expect((await gatewayCli('routes')).stdout).toMatch(new RegExp(`${route.id}\\s+127\\.0\\.0\\.1:${route.port}`));
    expect((await gatewayCli('route', 'remove', String(route.id))).code).toBe(0);
    expect((await gatewayCli('routes')).stdout).toBe('no routes\n');
  });

  it('switch, then disable (persisted in the agents file) and enable', async () => {
    const before = (await agents())[0]?.currentConnectionId;
    const switched = await gatewayCli('switch', 'warehouse');
    expect(switched.code).toBe(0);
    expect(switched.stdout).toMatch(new RegExp(`connection #${before} is draining, #\\d+ is current`));

    expect((await gatewayCli('disable', 'warehouse')).stdout).toBe('warehouse: disabled\n');
    await agent.waitForOutput(/connection terminated by gateway .*reason=Disabled/);
    const entries = parseRegistryToml(await readFile(path.join(dir, 'agents.toml'), 'utf8'), 'agents.toml');
    expect(entries[0]?.status).toBe('disabled');
    expect((await agents())[0]).toMatchObject({ status: 'disabled', online: false });

    expect((await gatewayCli('enable', 'warehouse')).code).toBe(0);
    await waitUntil(() => serveOutput.split('agent accepted').length > 3, 'the agent is back after being enabled');
    expect((await agents())[0]).toMatchObject({ status: 'enabled', online: true });
  });

  it('SIGHUP reloads the agents file', async () => {
    const newcomer = generateKeyPair();
    const file = path.join(dir, 'agents.toml');
    await writeFile(
      file,
      `${await readFile(file, 'utf8')}\n[[agent]]\nid = "${newcomer.agentId}"\nname = "newcomer"\n`,
    );
    serve.kill('SIGHUP');
    await waitUntil(() => serveOutput.includes('agents file reloaded'), 'the agents file was reloaded');
    const names = (await agents()).map((entry) => entry.name);
    expect(names).toEqual(['warehouse', 'newcomer']);
  });

  it("terminate: our agent, connected, stops with the operator's reason and exits 1 with its message", async () => {
    const retiring = generateKeyPair();
    const file = path.join(dir, 'agents.toml');
    const reloads = serveOutput.split('agents file reloaded').length;
    await writeFile(
      file,
      `${await readFile(file, 'utf8')}\n[[agent]]\nid = "${retiring.agentId}"\nname = "retiring"\n`,
    );
    serve.kill('SIGHUP');
    await waitUntil(() => serveOutput.split('agents file reloaded').length > reloads, 'the agents file was reloaded');
    // The config init wrote, with this agent's key instead of warehouse's.
    const config = (await readFile(path.join(dir, 'cluvio-agent.toml'), 'utf8')).replace(
      /^secret-key = .*$/m,
      `secret-key = "${retiring.secretKey.exportBase64url()}"`,
    );
    const accepted = serveOutput.split('agent accepted').length;
    const ours = await spawnAgent(OUR_AGENT_CLI, config);
    try {
      await waitUntil(() => serveOutput.split('agent accepted').length > accepted, 'our agent is accepted');
      expect((await agents()).find((entry) => entry.name === 'retiring')).toMatchObject({ online: true });

      const terminated = await gatewayCli('terminate', 'retiring', 'unsupported-version');
      expect(terminated).toMatchObject({ code: 0, stdout: 'terminated 1 connection(s) with UnsupportedVersion\n' });
      expect(await ours.exited).toEqual({ code: 1, signal: null });
      expect(ours.stderr()).toContain('agent was terminated by gateway: unsupported agent version');
      expect(ours.output()).toMatch(/connection terminated by gateway .*reason=UnsupportedVersion/);
      expect((await agents()).find((entry) => entry.name === 'retiring')).toMatchObject({
        status: 'enabled',
        online: false,
      });
      // Only that agent: warehouse is still online.
      expect((await agents()).find((entry) => entry.name === 'warehouse')).toMatchObject({ online: true });
    } finally {
      await ours.stop();
    }
  });

  it('operator errors are reported with a non-zero status', async () => {
    const unknown = await gatewayCli('test', 'nobody', '127.0.0.1:1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no agent "nobody"/);
    const badReason = await gatewayCli('terminate', 'warehouse', 'bored');
    expect(badReason.code).toBe(2);
    const noGateway = await gatewayCli('agents', '-c', 'elsewhere.toml');
    expect(noGateway.code).toBe(1);
    expect(noGateway.stderr).toMatch(/is `cluvio-gateway serve` running/);
  });

  it('SIGTERM shuts the gateway down cleanly: exit 0, admin file removed, agent told to go (GoAway)', async () => {
    const mark = agent.output().length;
    serve.kill('SIGTERM');
    const [code] = (await once(serve, 'close')) as [number | null];
    expect(code).toBe(0);
    expect(serveOutput).toContain('gateway stopped');
    expect(existsSync(path.join(dir, 'gateway.admin.json'))).toBe(false);
    await agent.waitForOutput(/control channel closed by server, reconnecting/, { from: mark });
  });
});

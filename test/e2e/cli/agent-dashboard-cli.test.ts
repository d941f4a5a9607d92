/**
 * `cluvio-agent --dashboard` as a process: the URL on stderr, the terminal log unchanged, the
 * agent's state over the dashboard's API, loopback only, clean exits (0 on signals, 1 on a
 * permanent Terminate), and the first run without a configuration that an import ends.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentSnapshot, StreamInfo } from '../../../src/shared/agent-state.js';
import type { LogRecord } from '../../../src/shared/log-record.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { startGatewayFixture } from '../../support/gateway-fixture.js';
import { CLI, type CliProcess, dashboardCall, spawnCli } from '../ui/support/cli-process.js';
import { closedLoopbackPort } from '../../support/loopback.js';

let work = '';
let home = '';
const running: CliProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

function start(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const agent = spawnCli(args, { HOME: home, ...env }, work);
  running.push(agent);
  return agent;
}

/** True while something accepts TCP connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

const offlineToml = (key: string, port: number): string =>
  `secret-key = "${key}"\nallowed-addresses = ["127.0.0.1/32"]\n[server]\nhost = "localhost"\nport = ${port}\n`;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`);
});

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cluvio-cli-dashboard-'));
  home = path.join(work, 'home');
  await mkdir(home);
});

afterEach(async () => {
  for (const agent of running.splice(0)) await agent.stop('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(work, { recursive: true, force: true });
});

describe('cluvio-agent --dashboard', () => {
  it('prints a tokenised loopback URL on stderr, logs to the terminal exactly as without it, serves the agent’s state, and exits 0 on SIGTERM', async () => {
    const key = SecretKey.generate().exportBase64url();
    const file = path.join(work, 'agent.toml');
    await writeFile(file, offlineToml(key, await closedLoopbackPort()));
    const agent = start(['--dashboard', '-c', file]);
    const url = await agent.dashboardUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/$/);
    const port = Number(new URL(url).port);

    // The terminal: the same lines as a plain run (configuration, then the engine's attempts).
    await agent.waitForLine(/ WARN cluvio_agent::agent: failed to connect to localhost:\d+/);
    expect(agent.stdout().split('\n')[0]).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z  INFO cluvio_agent: configuration path="${escapeRegExp(file)}" rule=command line \\(--config\\)$`,
      ),
    );
    expect(agent.stdout()).not.toMatch(/DEBUG|TRACE/);

    // The page (only with the token), and the agent's state through the dashboard's API.
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(403);
    const snapshot = (await dashboardCall(url, 'getSnapshot')) as AgentSnapshot;
    expect(snapshot.config).toMatchObject({
      path: file,
      server: { host: 'localhost' },
      allowedAddresses: ['127.0.0.1/32'],
    });
    expect(['connecting', 'backing-off']).toContain(snapshot.state.phase);
    // The dashboard's log has the engine's records, debug included, and the CLI's own line.
    const logs = (await dashboardCall(url, 'getLogs', { level: 'debug', text: '' })) as LogRecord[];
    expect(logs.some((r) => r.module === 'cluvio_agent' && r.message === 'configuration')).toBe(true);
    expect(
      logs.some(
        (r) =>
          r.level === 'debug' && r.module === 'cluvio_agent::agent' && r.message.startsWith('connecting to localhost:'),
      ),
    ).toBe(true);

    expect(await agent.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(agent.stdout()).toContain('INFO cluvio_agent: shutting down signal=SIGTERM');
    expect(agent.stdout() + agent.stderr()).not.toContain(key);
    expect(await accepts(port)).toBe(false);
  });

  it('the terminal gets the same lines, filtered and formatted the same, with and without --dashboard (text and JSON)', async () => {
    const file = path.join(work, 'agent.toml');
    await writeFile(file, offlineToml(SecretKey.generate().exportBase64url(), await closedLoopbackPort()));
    /** Lines up to the first backoff, then the shutdown line, without timestamps. */
    const transcript = async (args: readonly string[]): Promise<string[]> => {
      const agent = start(args);
      await agent.waitForLine(/waiting \S+ before connecting/);
      expect(await agent.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      const lines = agent
        .stdout()
        .trimEnd()
        .split('\n')
        .map((line) => line.replace(/^\S+Z /, '').replace(/"timestamp":"[^"]+",/, ''));
      const backoff = lines.findIndex((line) => /waiting \S+ before connecting/.test(line));
      return [...lines.slice(0, backoff + 1), lines.at(-1) ?? ''];
    };
    const debugText = ['-c', file, '-l', 'cluvio_agent=debug'];
    const plain = await transcript(debugText);
    expect(plain.some((line) => line.includes('DEBUG'))).toBe(true);
    expect(plain.at(-1)).toMatch(/^ ?INFO cluvio_agent: shutting down signal=SIGTERM$/);
    expect(await transcript([...debugText, '--dashboard'])).toEqual(plain);
    // A narrower filter keeps the CLI's own lines and every debug line out, also with --dashboard.
    const agentInfoJson = ['-c', file, '-l', 'cluvio_agent::agent=info', '-j'];
    const plainJson = await transcript(agentInfoJson);
    expect(
      plainJson.every((line) => line.includes('"target":"cluvio_agent::agent"') && !line.includes('"DEBUG"')),
    ).toBe(true);
    expect(await transcript([...agentInfoJson, '--dashboard'])).toEqual(plainJson);
  });

  it('listens where ADDRESS says: a port, and ::1 or localhost', async () => {
    const file = path.join(work, 'agent.toml');
    await writeFile(file, offlineToml(SecretKey.generate().exportBase64url(), await closedLoopbackPort()));
    const port = await closedLoopbackPort();
    const byPort = start(['-c', file, '--dashboard', String(port)]);
    expect(await byPort.dashboardUrl()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/`));
    expect(await byPort.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(byPort.stdout()).toContain('INFO cluvio_agent: shutting down signal=SIGINT');

    const byName = start(['-c', file, '--dashboard', 'localhost']);
    const url = await byName.dashboardUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect((await fetch(url)).status).toBe(200);
  });

  it('refuses a non-loopback address with exit 2 and says how to reach it instead', async () => {
    for (const address of ['0.0.0.0', '192.168.1.10:8080', '[::]:8080', 'example.com']) {
      const agent = start(['--dashboard', address, '-c', 'never-read.toml']);
      expect(await agent.exited).toEqual({ code: 2, signal: null });
      expect(agent.stderr()).toMatch(
        new RegExp(
          `^error: invalid value '${escapeRegExp(address)}' for '--dashboard \\[ADDRESS\\]': the dashboard listens on loopback only`,
        ),
      );
      expect(agent.stderr()).toContain('ssh -L');
      expect(agent.stdout()).toBe('');
    }
    const bad = start(['--dashboard', '127.0.0.1:70000']);
    expect(await bad.exited).toEqual({ code: 2, signal: null });
    expect(bad.stderr()).toContain('`70000` is not a port number');
  });

  it('a port already in use: says so and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const { port } = blocker.address() as net.AddressInfo;
    const agent = start(['--dashboard', `127.0.0.1:${port}`, '-c', 'never-read.toml']);
    expect(await agent.exited).toEqual({ code: 1, signal: null });
    expect(agent.stderr()).toMatch(new RegExp(`^dashboard: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  });

  it('without a configuration it stays up, says where it looked, and an import through the dashboard writes the file owner-only and starts the agent', async () => {
    const agent = start(['--dashboard']);
    const url = await agent.dashboardUrl();
    await agent.waitForLine(/^dashboard: waiting for a configuration/);
    expect(agent.stderr()).toContain('config file not found: see `cluvio-agent --help` for details');
    expect(agent.stderr()).toContain(path.join(home, '.config', 'cluvio-agent.toml'));
    expect(((await dashboardCall(url, 'getSnapshot')) as AgentSnapshot).state).toEqual({
      phase: 'unconfigured',
      problem: null,
    });

    const key = SecretKey.generate().exportBase64url();
    const result = (await dashboardCall(url, 'importConfig', {
      fileName: 'cluvio-agent.toml',
      text: offlineToml(key, await closedLoopbackPort()),
    })) as { ok: boolean; change: { path: string } };
    const target = path.join(home, '.config', 'cluvio-agent.toml');
    expect(result).toMatchObject({ ok: true, change: { path: target } });
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    await agent.waitForLine(/ INFO cluvio_agent_desktop::host: configuration imported path=/);
    await agent.waitForLine(/ WARN cluvio_agent::agent: failed to connect to localhost:\d+/);
    expect(agent.stdout() + agent.stderr()).not.toContain(key);
    expect(await agent.stop()).toEqual({ code: 0, signal: null });
  });

  it('a broken file is reported as without --dashboard, shown in the dashboard with its key, and replaced by an import (the old one kept as a .bak)', async () => {
    const file = path.join(work, 'agent.toml');
    await writeFile(file, 'secret-key = "short"\n[server]\nhost = "localhost"\n', { mode: 0o600 });
    const agent = start(['--dashboard', '-c', file]);
    const url = await agent.dashboardUrl();
    await agent.waitForLine(/^dashboard: waiting for a configuration/);
    expect(agent.stderr()).toMatch(new RegExp(`^config: ${escapeRegExp(file)}: secret-key: `, 'm'));
    const snapshot = (await dashboardCall(url, 'getSnapshot')) as AgentSnapshot;
    expect(snapshot.state).toMatchObject({ phase: 'unconfigured', problem: { file, key: 'secret-key' } });

    const text = offlineToml(SecretKey.generate().exportBase64url(), await closedLoopbackPort());
    expect(await dashboardCall(url, 'importConfig', { fileName: 'cluvio-agent.toml', text })).toMatchObject({
      ok: true,
      change: { path: file },
    });
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(
      (await readdir(work)).filter((name) => name.startsWith('agent.toml.') && name.endsWith('.bak')),
    ).toHaveLength(1);
    await agent.waitForLine(/ WARN cluvio_agent::agent: failed to connect to localhost:\d+/);
    expect(await agent.stop()).toEqual({ code: 0, signal: null });
  });

  it('runs queries’ streams through a real gateway; a permanent Terminate is reported as the reference does, but the dashboard stays up until a signal', async () => {
    const fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
    cleanups.push(() => fixture.close());
    const keys = fixture.addAgent('dashboard-cli');
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => echo.close(resolve)));
    const echoPort = (echo.address() as net.AddressInfo).port;
    const file = path.join(work, 'agent.toml');
    await writeFile(file, fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }), { mode: 0o600 });

    const agent = start(['--dashboard', '-c', file]);
    const url = await agent.dashboardUrl();
    await fixture.gateway.waitForAgent(keys.agentId);
    await agent.waitForLine(
      new RegExp(`INFO cluvio_agent::agent: up and running agent=${keys.agentId} version=1\\.3\\.0`),
    );
    await expect
      .poll(async () => ((await dashboardCall(url, 'getSnapshot')) as AgentSnapshot).state.phase, { timeout: 30_000 })
      .toBe('online');

    const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${echoPort}`);
    stream.on('data', () => undefined);
    stream.write(Buffer.alloc(4096, 7));
    await expect
      .poll(
        async () =>
          ((await dashboardCall(url, 'getStreams')) as StreamInfo[]).find((s) => s.phase === 'open')?.bytesFromTarget,
        { timeout: 30_000 },
      )
      .toBe(4096);
    stream.destroy();

    // A permanent Terminate: said as a plain run says it, but the dashboard stays up (it is where
    // the configuration gets fixed) and shows why; SIGTERM still stops it with 0.
    fixture.gateway.terminate(keys.agentId, 'Unauthorized');
    await agent.waitForLine(/^agent was terminated by gateway: unauthorized agent$/);
    await agent.waitForLine(
      /^dashboard: The gateway does not know this agent's key \(Unauthorized\).* The dashboard stays up/,
    );
    expect(agent.stdout()).toMatch(/ERROR cluvio_agent::agent: connection terminated by gateway /);
    await expect
      .poll(async () => ((await dashboardCall(url, 'getSnapshot')) as AgentSnapshot).state, { timeout: 30_000 })
      .toEqual({ phase: 'terminated', reason: 'Unauthorized', message: 'unauthorized agent' });
    expect((await fetch(url)).status).toBe(200);
    expect(await agent.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

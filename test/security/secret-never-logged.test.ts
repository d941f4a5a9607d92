/**
 * The secret key never appears in anything the agent writes or serves, over a whole session:
 * connect, challenge, Accepted, pings both ways, Tests (allowed, refused, unreachable, a name
 * that does not resolve), data streams with payload and refusals, SwitchToNewConnection,
 * Terminate{Disabled} and the retries until enabled, a permanent Terminate — at trace level,
 * where everything is logged.
 *
 * Searched for: the key as configured (base64url), as standard base64, as hex (both cases), and
 * its first and last 16 characters. Searched in:
 *   - the CLI's output, text and JSON (`-l trace`, `-j`), stdout and stderr, and the CLI's error
 *     output for configuration files that hold the key but are broken elsewhere;
 *   - the desktop app's log file, written by src/main/log-file.ts through electron-log's file
 *     transport (electron-log/main needs the Electron binary, so the same transport is loaded
 *     from electron-log/node), fed by the host as in src/main/main.ts;
 *   - everything the dashboard serves over HTTP and Server-Sent Events while a new configuration
 *     (with a new key) is imported through it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fileLog from 'electron-log/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDashboard } from '../../src/host/dashboard-server.js';
import { openLogFile } from '../../src/main/log-file.js';
import type { KeyPair } from '../../src/tunnel/auth/index.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import { agentConfigToml, type GatewayFixture, startGatewayFixture, waitUntil } from '../support/gateway-fixture.js';
import { type AgentImplementation, OUR_AGENT_CLI, spawnAgent } from '../support/reference-agent.js';
import { confinedHost } from '../unit/host/support/unconfigured-host.js';
import { httpRequest, readEvents } from '../unit/host/support/http.js';
import { echoTarget } from '../unit/agent/support/targets.js';

vi.mock('electron-log/main', async () => await import('electron-log/node'));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every spelling of the key that would count as leaking it. */
function spellings(keys: KeyPair): string[] {
  const text = keys.secretKey.exportBase64url();
  const bytes = Buffer.from(keys.secretKey.bytesForCrypto());
  return [
    text,
    bytes.toString('base64'),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    text.slice(0, 16),
    text.slice(-16),
  ];
}

function expectNoSecret(output: string, keys: readonly KeyPair[], where: string): void {
  for (const key of keys) {
    for (const spelling of spellings(key))
      expect(
        output.includes(spelling),
        `${where} contains ${spelling === key.secretKey.exportBase64url() ? 'the secret key' : `a spelling of the secret key (${spelling.length} characters)`}`,
      ).toBe(false);
  }
}

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Everything a gateway does with an agent in a session (the agent is `agentId`, online). */
async function exerciseSession(fixture: GatewayFixture, agentId: string): Promise<void> {
  const echo = await echoTarget();
  cleanups.push(() => echo.close());
  await fixture.gateway.test(agentId, `127.0.0.1:${echo.port}`);
  await fixture.gateway.test(agentId, '10.9.8.7:5432');
  await fixture.gateway.test(agentId, `127.0.0.1:${await closedPort()}`);
  await fixture.gateway.test(agentId, 'db.nowhere.invalid:5432');
  const stream = await fixture.gateway.openStream(agentId, `127.0.0.1:${echo.port}`, { halfClose: true });
  stream.end(Buffer.alloc(40_000, 0x61));
  await readAll(stream);
  await fixture.gateway.openStream(agentId, '10.9.8.7:5432').then(
    (s) => s.destroy(),
    () => undefined,
  );
  await fixture.gateway.switchConnection(agentId);
  await waitUntil(
    () =>
      (fixture.gateway
        .agents()
        .find((a) => a.id === agentId)
        ?.connections.at(-1)?.serverPingsAnswered ?? 0) >= 2,
    'pings on the new connection',
  );
  // Terminate{Disabled}: the agent hangs up and retries in 5 s, by when it is enabled again.
  fixture.gateway.setStatus(agentId, 'disabled');
  await waitUntil(
    () => fixture.gateway.agents().find((a) => a.id === agentId)?.online === false,
    'the agent to hang up after Terminate{Disabled}',
  );
  fixture.gateway.setStatus(agentId, 'enabled');
  await fixture.gateway.waitForAgent(agentId, { timeoutMs: 20_000 });
}

describe('the secret key never appears in the CLI’s output', () => {
  it.each([
    ['text', OUR_AGENT_CLI],
    ['JSON', { name: 'cluvio-agent -j', command: [...OUR_AGENT_CLI.command, '-j'] }],
  ] as [string, AgentImplementation][])(
    '%s lines at trace level over a full session, ending in a permanent Terminate',
    async (_format, implementation) => {
      const fixture = await startGatewayFixture({ pingIntervalMs: 300 });
      cleanups.push(() => fixture.close());
      const keys = fixture.addAgent();
      const agent = await spawnAgent(
        implementation,
        fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.0/8', '*.invalid'], pingFrequency: '200ms' }),
        { logFilter: 'trace' },
      );
      cleanups.push(() => agent.stop());
      await fixture.gateway.waitForAgent(keys.agentId);
      await exerciseSession(fixture, keys.agentId);
      fixture.gateway.terminate(keys.agentId, 'Unauthorized');
      expect((await agent.exited).code).toBe(1);
      const output = agent.output();
      // The session really happened, at trace level, in this format.
      expect(output).toMatch(/no such host|not reachable|could not connect|ENOTFOUND|failed to lookup/i);
      expect(output).toMatch(/TRACE|"level":"TRACE"/);
      for (const step of [
        'received message',
        'switching to new connection and draining the existing one',
        'waiting 5s before connecting',
        'address not allowed',
        'data transfer finished',
        'connection terminated by gateway',
      ]) {
        expect(output, step).toContain(step);
      }
      expect(agent.stderr()).toContain('agent was terminated by gateway: unauthorized agent');
      expectNoSecret(output, [keys], 'the CLI output');
    },
    90_000,
  );

  it('configuration errors in a file that holds the key never quote it', async () => {
    const keys = generateKeyPair();
    const secret = keys.secretKey.exportBase64url();
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-secret-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const broken = [
      `secret-key = "${secret}\n[server]\nhost = "localhost"\n`, // unterminated string on the key's line
      `secret-key = "${secret}" trailing\n[server]\nhost = "localhost"\n`, // junk after the key
      `secret-key = "${secret}x"\n[server]\nhost = "localhost"\n`, // one character too many
      `secret-key = "${secret.slice(1)}"\n[server]\nhost = "localhost"\n`, // one too few
      `secret-key = "${secret.replace(/.$/, '=')}"\n[server]\nhost = "localhost"\n`, // padding
      `secret-key = ["${secret}"]\n[server]\nhost = "localhost"\n`, // wrong type
      `secret-key = "${secret}"\nsecret-key = "${secret}"\n[server]\nhost = "localhost"\n`, // duplicate key
      `secret-key = "${secret}"\n[server]\nhost = "127.0.0.1"\n`, // bad host
      `secret-key = "${secret}"\nping-frequency = 5\n[server]\nhost = "localhost"\n`, // bad duration
      `secret-key = "${secret}"\nallowed-addresses = []\n[server]\nhost = "localhost"\n`, // empty allowlist
      `secret-key = "${secret}"\n[server]\nhost = "localhost"\ntrust = "not a certificate"\n`, // bad trust
    ];
    const [node, ...script] = OUR_AGENT_CLI.command; // node, its flags, the script
    if (node === undefined || script.length === 0) throw new Error('no CLI command');
    for (const [index, text] of broken.entries()) {
      const file = path.join(dir, `broken-${index}.toml`);
      await writeFile(file, text, { mode: 0o600 });
      for (const extra of [[], ['-j']]) {
        const child = spawn(node, [...script, '-c', file, '-l', 'trace', ...extra], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
        const [code] = (await once(child, 'close')) as [number | null];
        expect(code, `case ${index}: ${output}`).toBe(1);
        expect(output, `case ${index}`).toMatch(/config: /);
        expectNoSecret(output, [keys], `case ${index} (${extra.join(' ') || 'text'})`);
      }
    }
  }, 90_000);
});

describe('the secret key never appears in the desktop log file or the dashboard', () => {
  it('a full session through the host, with a new configuration imported through the dashboard', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-secret-host-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const fixture = await startGatewayFixture({ pingIntervalMs: 300 });
    cleanups.push(() => fixture.close());
    const first = fixture.addAgent('desktop');
    const second = fixture.addAgent('desktop-2');
    await mkdir(path.join(dir, 'config'), { recursive: true });
    const configFile = path.join(dir, 'config', 'cluvio-agent.toml');
    await writeFile(
      configFile,
      fixture.agentConfigToml(first, { allowedAddresses: ['127.0.0.0/8', '*.invalid'], pingFrequency: '200ms' }),
      { mode: 0o600 },
    );

    // The log file as the app writes it: src/main/log-file.ts on electron-log's file transport.
    const logPath = path.join(dir, 'logs', 'main.log');
    fileLog.transports.file.resolvePathFn = () => logPath;
    const logFile = openLogFile('trace');
    expect(logFile.path).toBe(logPath);
    const host = confinedHost(dir);
    host.onLogRecord((record) => {
      logFile.write(record);
    });
    cleanups.push(() => host.close());
    const dashboard = await startDashboard({ api: host });
    cleanups.push(() => dashboard.close());
    const served: string[] = [];
    const call = async (name: string, arg?: unknown): Promise<unknown> => {
      const reply = await httpRequest(`${dashboard.url}api/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(arg === undefined ? {} : { arg }),
      });
      served.push(reply.body);
      expect(reply.status, `${name}: ${reply.body}`).toBe(200);
      return JSON.parse(reply.body) as unknown;
    };
    const events = (['snapshot', 'streams', 'logs'] as const).map((topic) =>
      readEvents(`${dashboard.url}api/events/${topic}`, 1_000_000).catch(() => []),
    );

    await host.start();
    await fixture.gateway.waitForAgent(first.agentId);
    await exerciseSession(fixture, first.agentId);
    const echo = await echoTarget();
    cleanups.push(() => echo.close());
    for (const name of ['getHostInfo', 'getSnapshot', 'getStreams', 'getAutostart']) await call(name);
    await call('getLogs', { level: 'trace', text: '' });
    await call('testAddress', `127.0.0.1:${echo.port}`);
    await call('testAddress', '10.1.2.3:5432');
    // A broken file holding the second key, then a good one: both travel to the host in a request body.
    await call('importConfig', {
      fileName: 'cluvio-agent.toml',
      text: `secret-key = "${second.secretKey.exportBase64url()}"\n[server]\nhost = "127.0.0.1"\n`,
    });
    await call('importConfig', {
      fileName: 'cluvio-agent.toml',
      text: fixture.agentConfigToml(second, { allowedAddresses: ['127.0.0.0/8'] }),
    });
    await fixture.gateway.waitForAgent(second.agentId);
    await exerciseSession(fixture, second.agentId);
    await call('getSnapshot');
    await call('getLogs', { level: 'trace', text: '' });
    await call('getLogs', { level: 'trace', text: 'secret' });
    served.push((await httpRequest(dashboard.url)).body);

    await dashboard.close(); // ends the event streams
    const streamed = JSON.stringify(await Promise.all(events));
    await host.close();
    const fileText = await readFile(logPath, 'utf8');
    // The session is in the file (trace level, both agents, the import), but no key.
    expect(fileText).toContain('up and running');
    expect(fileText).toContain(first.agentId);
    expect(fileText).toContain(second.agentId);
    expect(fileText.split('\n').length).toBeGreaterThan(100);
    expect(streamed.length).toBeGreaterThan(10_000);
    expectNoSecret(fileText, [first, second], 'the log file');
    expectNoSecret(served.join('\n'), [first, second], 'the dashboard’s replies');
    expectNoSecret(streamed, [first, second], 'the dashboard’s event streams');
  }, 120_000);
});

// A sanity check that the detector finds a key where there is one (so the tests above can fail).
describe('the leak detector', () => {
  it('finds each spelling of a key', () => {
    const keys = generateKeyPair();
    for (const spelling of spellings(keys)) expect(() => expectNoSecret(`x ${spelling} y`, [keys], 'a line')).toThrow();
    expect(() =>
      expectNoSecret(
        agentConfigToml({ secretKey: keys.secretKey.exportBase64url(), host: 'h', port: 1, trustPem: '' }),
        [keys],
        'a config',
      ),
    ).toThrow();
  });
});

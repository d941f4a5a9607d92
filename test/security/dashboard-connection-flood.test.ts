/**
 * Review (local attacker, no token): `cluvio-agent --dashboard` listens on loopback, where every
 * user and program of the machine can connect. Without the token nothing is served — but every
 * connection accepted is a file descriptor of the agent's process, the same descriptors its data
 * streams, Tests and the gateway connection need.
 *
 * Before: the dashboard accepted connections without bound and kept a silent one for up to
 * Node's 60 s header timeout; another user opening a few hundred idle connections (and opening
 * them again as they were closed) took every descriptor the agent had, and the gateway's Tests
 * and data streams failed (EMFILE) — the tunnel stopped for a local user who knew nothing but the
 * port. Now the dashboard holds at most DASHBOARD_MAX_CONNECTIONS connections (further ones are
 * closed at once), and a connection that has not sent its request head within 10 s is closed.
 * A flood can then keep the dashboard busy, not the tunnel.
 *
 * The metrics endpoint (`--metrics-address`) is bounded the same way (src/host/loopback-http-limits.ts).
 *
 * Our CLI as a process with 400 descriptors (`ulimit -n`), a real gateway, a real target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';
import { CLI } from '../e2e/ui/support/cli-process.js';

const WAIT = { timeout: 30_000, interval: 50 };
const DESCRIPTORS = 400;
const FLOOD = 700;

let work = '';
let fixture: GatewayFixture;
let agent: ChildProcess | null = null;
let target: net.Server;
const sockets: net.Socket[] = [];

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cluvio-dashboard-flood-'));
  fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
  target = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  agent?.kill('SIGKILL');
  agent = null;
  await new Promise((resolve) => target.close(resolve));
  await fixture.close();
  await rm(work, { recursive: true, force: true });
});

const openDescriptors = async (pid: number): Promise<number> => (await readdir(`/proc/${pid}/fd`)).length;

function idleConnection(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
}

describe.each([
  ['the dashboard', ['--dashboard'], /http:\/\/127\.0\.0\.1:(\d+)\//],
  ['the metrics endpoint', ['--metrics-address', '127.0.0.1:0'], /metrics: http:\/\/127\.0\.0\.1:(\d+)\//],
] as const)('idle connections to %s from another user', (what, options, printed) => {
  it('cannot take the descriptors the tunnel needs', async () => {
    const keys = fixture.addAgent('flooded');
    const file = path.join(work, 'agent.toml');
    await writeFile(file, fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }), { mode: 0o600 });
    let stderr = '';
    const child = spawn(
      '/bin/sh',
      ['-c', `ulimit -n ${DESCRIPTORS} && exec "$@"`, 'sh', process.execPath, CLI, ...options, '-c', file],
      {
        cwd: work,
        env: { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    agent = child;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await expect.poll(() => printed.test(stderr), WAIT).toBe(true);
    const port = Number(printed.exec(stderr)?.[1]);
    await fixture.gateway.waitForAgent(keys.agentId);
    const targetAddress = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    expect(await fixture.gateway.test(keys.agentId, targetAddress)).toEqual({ ok: true });
    const pid = child.pid ?? 0;
    const baseline = await openDescriptors(pid);

    // The attacker: connects and sends nothing, again and again.
    for (let i = 0; i < FLOOD; i += 1) await idleConnection(port);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const during = await openDescriptors(pid);
    process.stderr.write(`${what} flood: ${baseline} descriptors before, ${during} with ${FLOOD} idle connections\n`);

    // The tunnel keeps working: the gateway's Tests and a second round of them all connect.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => fixture.gateway.test(keys.agentId, targetAddress)),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(20);
    expect(during - baseline).toBeLessThan(200);
    expect(child.exitCode).toBeNull();
  });
});

/**
 * The agent's log output goes away (the pipe it logs into breaks: a log shipper that died, a
 * closed terminal, `cluvio-agent | head`). Logging is not the agent's job; the tunnel must keep
 * working. The reference agent ignores failed log writes (Rust ignores SIGPIPE and tracing drops
 * write errors); ours must not die of EPIPE either.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, waitUntil } from '../support/gateway-fixture.js';
import { OUR_AGENT_CLI } from '../support/reference-agent.js';
import { echoTarget } from '../unit/agent/support/targets.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the agent process when its stdout breaks', () => {
  it('keeps serving the gateway after the pipe it logs into is closed, and still exits 0 on SIGTERM', async () => {
    // A dead agent fails a Test within 5 s instead of the default minute.
    const fixture = await startGatewayFixture({ pingIntervalMs: 50, testTimeoutMs: 5_000 });
    cleanups.push(() => fixture.close());
    const echo = await echoTarget();
    cleanups.push(() => echo.close());
    const keys = fixture.addAgent();
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-epipe-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = path.join(dir, 'cluvio-agent.toml');
    await writeFile(config, fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.0/8'] }), { mode: 0o600 });
    const [node, ...script] = OUR_AGENT_CLI.command; // node, its flags, the script
    if (node === undefined || script.length === 0) throw new Error('no CLI command');
    // Trace level: every ping and test writes lines, so writes keep hitting the broken pipe.
    const child = spawn(node, [...script, '-c', config, '-l', 'trace'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.once('close', (code, signal) => {
        resolve([code, signal]);
      });
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    });
    await fixture.gateway.waitForAgent(keys.agentId);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    while (!out.includes('up and running')) await once(child.stdout, 'data');

    child.stdout.destroy(); // our end of the pipe: the agent's next log write gets EPIPE

    for (let i = 0; i < 20; i += 1) {
      expect(
        await fixture.gateway.test(keys.agentId, `127.0.0.1:${echo.port}`),
        `test ${i} after the pipe broke`,
      ).toEqual({ ok: true });
    }
    await waitUntil(
      () => (fixture.gateway.agents()[0]?.connections.at(-1)?.serverPingsAnswered ?? 0) >= 3,
      'pings answered after the pipe broke',
    );
    expect(child.exitCode).toBeNull();
    expect(fixture.gateway.agents()[0]?.connections).toHaveLength(1); // never reconnected: it never died
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
  }, 60_000);
});

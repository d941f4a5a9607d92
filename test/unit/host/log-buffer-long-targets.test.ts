/**
 * A gateway that opens streams to very long target names (the protocol bounds a name only by
 * the 512 KiB frame) cannot make the host hold them in its log buffer — what the app's Logs view
 * and the dashboard read: the buffer stays within its byte budget, each record saying how long
 * the name was, and the heap the buffer keeps is about what it counts. Before the buffer was
 * bounded in bytes, its 5,000 records could hold about 1 GiB of such names.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentHost } from '../../../src/host/agent-host.js';
import { DEFAULT_LOG_MAX_BYTES, LogRingBuffer } from '../../../src/host/log-ring-buffer.js';
import { tunnelEngineFactory } from '../../../src/host/tunnel-engine-factory.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { startGatewayFixture } from '../../support/gateway-fixture.js';
import { confinedConfigBinding, TEST_APP_VERSION } from './support/unconfigured-host.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const NAMES = 300;
const NAME_LENGTH = 200 * 1024;

describe('the host’s log buffer against a gateway sending long target names', () => {
  it('300 streams to 200 KiB names (60 MiB of names): the buffer keeps at most its 8 MiB budget, in its counter and in the heap', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-long-targets-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
    cleanups.push(() => fixture.close());
    const keys = fixture.addAgent();
    const file = path.join(dir, 'config', 'cluvio-agent.toml');
    await mkdir(path.dirname(file));
    await writeFile(file, fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }), { mode: 0o600 });
    const logs = new LogRingBuffer();
    let host: AgentHost<AgentConfig> | null = new AgentHost<AgentConfig>({
      appVersion: TEST_APP_VERSION,
      transport: 'dashboard',
      config: confinedConfigBinding(dir),
      createEngine: tunnelEngineFactory({ version: TEST_APP_VERSION }),
      configPath: file,
      logs,
    });
    gc();
    const before = process.memoryUsage().heapUsed;
    try {
      await host.start();
      await fixture.gateway.waitForAgent(keys.agentId);
      let refused = 0;
      for (let i = 0; i < NAMES; i += 1) {
        const name = `${String.fromCharCode(97 + (i % 26)).repeat(NAME_LENGTH)}.example.com:5432`;
        await fixture.gateway.openStream(keys.agentId, name).then(
          (stream) => stream.destroy(),
          () => (refused += 1),
        );
      }
      expect(refused).toBe(NAMES);
    } finally {
      await host.close();
      // eslint-disable-next-line no-useless-assignment -- dropping the last reference lets gc() collect the host
      host = null; // its engine keeps the recently closed streams (with their names): not the buffer's
      // The gateway's own log (kept whole by the test fixture) is not the host's.
      fixture.logs.length = 0;
      await fixture.close();
    }
    // The buffer's own counter first: within the budget, the newest refusals kept, each cut short.
    const refusals = logs.query({ level: 'trace', text: 'address not allowed' });
    expect(logs.bytes).toBeLessThanOrEqual(DEFAULT_LOG_MAX_BYTES);
    expect(refusals.length).toBeGreaterThan(100);
    // The agent cuts a target name where it logs it (256 characters and the name's size), before
    // the buffer's own per-record limit would.
    expect(String(refusals.at(-1)?.fields.address)).toMatch(/^[a-z]{200,256}…\[\d{6} bytes\]:5432$/);
    // Then the heap the buffer keeps, once the closed host's connection is gone (its socket
    // closes a moment after close() resolves, and holds the engine until then): whole names
    // would be at least the 300 refusals × 200 KiB = 60 MiB.
    let held = Infinity;
    for (let attempt = 0; attempt < 50 && held >= 24 * 1024 * 1024; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      gc();
      held = process.memoryUsage().heapUsed - before;
    }
    expect(held).toBeLessThan(24 * 1024 * 1024);
    expect(logs.size).toBeGreaterThan(0); // keeps `logs` alive up to the measurement
  }, 120_000);
});

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../../src/host/agent-host.js';
import type { AgentSnapshot } from '../../../src/shared/agent-state.js';
import type { LogRecord } from '../../../src/shared/log-record.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { closedLoopbackPort, offlineConfig } from './support/offline-config.js';
import { confinedHost, TEST_APP_VERSION, unconfiguredHost } from './support/unconfigured-host.js';

/** A valid file whose gateway (localhost on a closed port) refuses every connection. */
let validConfig: (key?: string) => string;

describe('AgentHost', () => {
  let dir: string;
  let host: AgentHost<AgentConfig>;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-host-'));
    await mkdir(path.join(dir, 'config'), { recursive: true });
    host = unconfiguredHost(dir);
    const port = await closedLoopbackPort();
    validConfig = (key) => offlineConfig(port, key);
  });
  afterEach(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('first run: nothing found is the unconfigured state without a problem, and says where it looked', async () => {
    await host.start();
    expect(host.snapshot()).toMatchObject({ config: null, state: { phase: 'unconfigured', problem: null } });
    const logs = await host.getLogs({ level: 'info', text: 'no configuration' });
    expect(logs).toHaveLength(1);
    expect(String(logs[0]?.fields.searched)).toContain(path.join(dir, 'config', 'cluvio-agent.toml'));
  });

  it('a broken file in the search order is reported with its file, key and fix', async () => {
    const file = path.join(dir, 'config', 'cluvio-agent.toml');
    await writeFile(file, validConfig().replace('"localhost"', '"192.168.1.1"'));
    await host.start();
    expect(host.snapshot().state).toEqual({
      phase: 'unconfigured',
      problem: {
        file,
        key: 'server.host',
        message: 'invalid hostname: an IP address, not a DNS name',
        value: '"192.168.1.1"',
        fix: "Download this agent's configuration (cluvio-agent.toml) from Cluvio again and import it.",
      },
    });
  });

  it('a missing --config file is named in the problem, and an import then creates that file', async () => {
    await host.close();
    const explicit = path.join(dir, 'etc', 'agent.toml');
    host = confinedHost(dir, explicit);
    await host.start();
    expect(host.snapshot().state).toMatchObject({ phase: 'unconfigured', problem: { file: explicit, key: null } });
    expect((await host.getHostInfo()).configTarget).toBe(explicit);
    expect(await host.importConfig({ fileName: 'c.toml', text: validConfig() })).toMatchObject({
      ok: true,
      change: { path: explicit },
    });
  });

  it('a valid file shows its public part only, and the engine runs on it: a refused gateway reads as connecting / backing off', async () => {
    const key = SecretKey.generate().exportBase64url();
    const file = path.join(dir, 'config', 'cluvio-agent.toml');
    await writeFile(file, validConfig(key));
    await host.start();
    const snapshot = host.snapshot();
    expect(snapshot.version).toBe(TEST_APP_VERSION);
    expect(snapshot.config).toMatchObject({
      path: file,
      server: { host: 'localhost' },
      allowedAddresses: ['10.0.0.0/8'],
    });
    await expect.poll(() => host.snapshot().state.phase, { timeout: 30_000 }).toBe('backing-off');
    expect(host.snapshot().counters.lastError?.message).toMatch(/^failed to connect to localhost:\d+/);
    const logs = await host.getLogs({ level: 'trace', text: '' });
    expect(
      logs.some(
        (r) =>
          r.module === 'cluvio_agent::agent' &&
          r.level === 'warn' &&
          r.message.startsWith('failed to connect to localhost:'),
      ),
    ).toBe(true);
    expect(JSON.stringify([host.snapshot(), logs])).not.toContain(key);
  });

  it('stop() stops the engine and keeps its last state; close() ends it for good', async () => {
    await writeFile(path.join(dir, 'config', 'cluvio-agent.toml'), validConfig());
    await host.start();
    await host.stop();
    expect(host.snapshot().state).toEqual({ phase: 'stopped' });
    await host.close();
    await expect(host.start()).rejects.toThrow('closed');
  });

  it('import: a bad file changes nothing; a good one is written, becomes the configuration and is announced to subscribers', async () => {
    await host.start();
    const seen: AgentSnapshot[] = [];
    const stop = host.onSnapshot((s) => seen.push(s));
    const bad = await host.importConfig({
      fileName: 'cluvio-agent.toml',
      text: 'secret-key = "short"\n[server]\nhost = "localhost"\n',
    });
    expect(bad).toMatchObject({ ok: false, problems: [{ file: 'cluvio-agent.toml', key: 'secret-key' }] });
    expect(host.snapshot().config).toBeNull();

    const key = SecretKey.generate().exportBase64url();
    const good = await host.importConfig({ fileName: 'cluvio-agent.toml', text: validConfig(key) });
    expect(good).toMatchObject({
      ok: true,
      change: { path: path.join(dir, 'config', 'cluvio-agent.toml'), backupPath: null, shadowedBy: null },
    });
    expect(await readFile(path.join(dir, 'config', 'cluvio-agent.toml'), 'utf8')).toBe(validConfig(key));
    expect(host.snapshot().config?.path).toBe(path.join(dir, 'config', 'cluvio-agent.toml'));
    expect(seen.at(-1)?.config?.server.host).toBe('localhost');
    expect(JSON.stringify(seen)).not.toContain(key);
    stop();
  });

  it('import warns when a file earlier in the search order would shadow the imported one for the CLI', async () => {
    await mkdir(path.join(dir, 'bin'), { recursive: true });
    await writeFile(path.join(dir, 'bin', 'cluvio-agent.toml'), '# beside the executable\n');
    const result = await host.importConfig({ fileName: 'c.toml', text: validConfig() });
    expect(result).toMatchObject({ ok: true, change: { shadowedBy: path.join(dir, 'bin', 'cluvio-agent.toml') } });
  });

  it('address tests check syntax, then need a running engine', async () => {
    await host.start();
    expect(await host.testAddress('db.internal')).toMatchObject({ ok: false, code: 'InvalidAddress' });
    expect(await host.testAddress('[db.internal]:5432')).toMatchObject({ ok: false, code: 'InvalidAddress' });
    expect(await host.testAddress('db.internal:5432')).toMatchObject({ ok: false, code: 'NotConfigured' });
  });

  it('log subscribers get new records in batches; the stream table is empty without an engine', async () => {
    const batches: (readonly LogRecord[])[] = [];
    host.onLog((batch) => batches.push(batch));
    host.record('info', 'test', 'one');
    host.record('debug', 'test', 'two');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(batches.map((b) => b.map((r) => r.message))).toEqual([['one', 'two']]);
    const tables: unknown[] = [];
    host.onStreams((streams) => tables.push(streams));
    expect(tables).toEqual([[]]);
    expect(await host.getStreams()).toEqual([]);
  });
});

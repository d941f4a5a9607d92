import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../../src/host/agent-host.js';
import { importConfigFile, importResultMessage } from '../../../src/main/import-config-file.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { closedLoopbackPort, offlineConfig } from '../host/support/offline-config.js';
import { unconfiguredHost } from '../host/support/unconfigured-host.js';

describe('a config file given by path (command line, open with, tray picker)', () => {
  let dir: string;
  let host: AgentHost<AgentConfig>;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-open-'));
    host = unconfiguredHost(dir);
    await host.start();
  });
  afterEach(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a valid file into the user location, owner-only', async () => {
    const file = path.join(dir, 'downloaded.toml');
    const text = offlineConfig(await closedLoopbackPort());
    await writeFile(file, text);
    const result = await importConfigFile(host, file);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.path).toBe(path.join(dir, 'config', 'cluvio-agent.toml'));
    expect(await readFile(result.path, 'utf8')).toBe(text);
    expect((await stat(result.path)).mode & 0o777).toBe(0o600);
    const message = importResultMessage('downloaded.toml', result);
    expect(message.type).toBe('info');
    expect(message.detail).toContain(result.config.agentId);
    expect(message.detail).not.toContain(text.slice(14, 57));
    // The agent now runs on it (the gateway is unreachable, so it keeps trying).
    expect(host.snapshot().config?.agentId).toBe(result.config.agentId);
    expect(['connecting', 'backing-off']).toContain(host.snapshot().state.phase);
  });

  it('reports a bad file with the key and the fix, and a missing file plainly', async () => {
    const file = path.join(dir, 'bad.toml');
    await writeFile(file, '[server]\nhost = "gateway.example.com"\n');
    const bad = await importConfigFile(host, file);
    const message = importResultMessage('bad.toml', bad);
    expect(message).toMatchObject({ type: 'error', message: 'bad.toml was not imported' });
    expect(message.detail).toMatch(/^secret-key: missing configuration field "secret-key": add secret-key = /);
    const missing = await importConfigFile(host, path.join(dir, 'nope.toml'));
    expect(importResultMessage('nope.toml', missing).detail).toContain('cannot read the file');
  });
});

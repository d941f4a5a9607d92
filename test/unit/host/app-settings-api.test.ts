/**
 * The new AgentApi calls over the shared transport: arguments are validated before they reach
 * the host, and a host without settings or diagnostics says so instead of failing oddly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchAgentCall } from '../../../src/shared/agent-api-dispatch.js';
import { AGENT_CALLS } from '../../../src/shared/agent-api-protocol.js';
import { createTunnelAgentHost } from '../../../src/host/tunnel-agent-host.js';
import type { DiagnoseReport } from '../../../src/shared/diagnose-report.js';
import { unconfiguredHost } from './support/unconfigured-host.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-api-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('diagnose and app settings over the transport', () => {
  it('are calls of the protocol', () => {
    expect(AGENT_CALLS).toEqual(expect.arrayContaining(['diagnose', 'getAppSettings', 'setAppSettings']));
  });

  it('setAppSettings refuses malformed arguments before the host sees them', async () => {
    const host = unconfiguredHost(await tempDir());
    cleanups.push(() => host.close());
    for (const arg of [
      undefined,
      null,
      {},
      { metricsAddress: 9464 },
      { metricsAddress: '127.0.0.1:1', proxy: 'x' },
      { metricsAddress: 'x'.repeat(101) },
    ]) {
      const reply = await dispatchAgentCall(host, 'setAppSettings', arg);
      expect(reply.ok, JSON.stringify(arg)).toBe(false);
    }
    expect(await dispatchAgentCall(host, 'diagnose', { extra: true })).toEqual({
      ok: false,
      error: 'this call takes no argument',
    });
  });

  it('a host without settings reports them read-only and refuses changes; without diagnostics, diagnose says so', async () => {
    const host = unconfiguredHost(await tempDir());
    cleanups.push(() => host.close());
    expect(await dispatchAgentCall(host, 'getAppSettings', undefined)).toMatchObject({
      ok: true,
      value: { editable: false, settings: { metricsAddress: null } },
    });
    expect(await dispatchAgentCall(host, 'setAppSettings', { metricsAddress: null })).toEqual({
      ok: true,
      value: { ok: false, error: 'settings cannot be changed here' },
    });
    expect(await dispatchAgentCall(host, 'diagnose', undefined)).toEqual({
      ok: false,
      error: 'diagnostics are not available here',
    });
  });

  it('the tunnel host diagnoses even without a configuration: the first step fails with every place looked at', async () => {
    const dir = await tempDir();
    const host = createTunnelAgentHost({
      appVersion: '0.1.0-test',
      transport: 'dashboard',
      search: {
        platform: 'linux',
        env: { HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'xdg') },
        homeDir: path.join(dir, 'home'),
        exeDir: path.join(dir, 'bin'),
      },
      configPath: path.join(dir, 'missing.toml'),
    });
    cleanups.push(() => host.close());
    await host.start();
    const reply = await dispatchAgentCall(host, 'diagnose', undefined);
    if (!reply.ok) throw new Error(reply.error);
    const report = reply.value as DiagnoseReport;
    expect(report.ok).toBe(false);
    expect(report.steps).toHaveLength(1);
    expect(report.steps[0]).toMatchObject({
      kind: 'config',
      status: 'fail',
      summary: `${path.join(dir, 'missing.toml')}: file not found (or not a regular file): check the --config path`,
    });
  });
});

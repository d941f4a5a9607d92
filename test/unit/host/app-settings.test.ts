/**
 * The desktop app's settings file and the metrics endpoint it controls: real files (mode 0600),
 * a real HTTP listener on 127.0.0.1; a refused address or a taken port changes nothing.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandLineSettings, FileAppSettings } from '../../../src/host/app-settings.js';
import type { MetricsSource } from '../../../src/host/metrics-server.js';
import { type AgentSnapshot, ZERO_AGENT_COUNTERS } from '../../../src/shared/agent-state.js';
import { listenLoopback } from '../../support/loopback.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SNAPSHOT: AgentSnapshot = {
  version: '0.1.0-test',
  config: null,
  state: { phase: 'unconfigured', problem: null },
  counters: ZERO_AGENT_COUNTERS,
};
const SOURCE: MetricsSource = { snapshot: () => SNAPSHOT, metrics: () => null };

async function settingsIn(dir?: string): Promise<{ settings: FileAppSettings; file: string; logs: string[] }> {
  const folder = dir ?? (await mkdtemp(path.join(tmpdir(), 'cluvio-settings-')));
  if (dir === undefined) cleanups.push(() => rm(folder, { recursive: true, force: true }));
  const file = path.join(folder, 'data', 'settings.json');
  const logs: string[] = [];
  const settings = new FileAppSettings({
    file,
    proxy: 'http://[redacted]@proxy.corp:3128',
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  cleanups.push(() => settings.close());
  return { settings, file, logs };
}

describe('app settings file and the metrics endpoint', () => {
  it('starts off; a loopback address serves /healthz at once and is written owner-only; empty turns it off', async () => {
    const { settings, file } = await settingsIn();
    await settings.start(SOURCE);
    expect(await settings.get()).toMatchObject({
      editable: true,
      settings: { metricsAddress: null },
      metricsUrl: null,
      proxy: 'http://[redacted]@proxy.corp:3128',
      source: file,
    });

    const on = await settings.set({ metricsAddress: ' 127.0.0.1:0 ' });
    if (!on.ok) throw new Error(on.error);
    const url = on.state.metricsUrl ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ metricsAddress: '127.0.0.1:0' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // The same address again keeps the running endpoint.
    const again = await settings.set({ metricsAddress: '127.0.0.1:0' });
    expect(again.ok && again.state.metricsUrl).toBe(url);

    const off = await settings.set({ metricsAddress: '' });
    expect(off.ok && off.state.metricsUrl).toBeNull();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ metricsAddress: null });
  });

  it('refuses a non-loopback address and a taken port; the running endpoint and the file stay as they were', async () => {
    const { settings, file } = await settingsIn();
    await settings.start(SOURCE);
    const on = await settings.set({ metricsAddress: '127.0.0.1:0' });
    if (!on.ok) throw new Error(on.error);
    const before = await readFile(file, 'utf8');

    const open = await settings.set({ metricsAddress: '192.168.1.10:9464' });
    expect(open).toEqual({
      ok: false,
      error: expect.stringContaining('the metrics endpoint listens on loopback only') as unknown,
    });
    const { server, port } = await listenLoopback(() => undefined);
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const taken = await settings.set({ metricsAddress: `127.0.0.1:${port}` });
    expect(taken).toEqual({
      ok: false,
      error: expect.stringContaining(`cannot listen on 127.0.0.1:${port}`) as unknown,
    });

    expect(await readFile(file, 'utf8')).toBe(before);
    expect((await settings.get()).metricsUrl).toBe(on.state.metricsUrl);
    expect((await fetch(`${on.state.metricsUrl ?? ''}/healthz`)).status).toBe(200);
  });

  it('a saved address is served again on the next start; a broken file is ignored with a warning', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-settings-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await settingsIn(dir);
    await first.settings.start(SOURCE);
    await first.settings.set({ metricsAddress: '127.0.0.1:0' });
    await first.settings.close();

    const second = await settingsIn(dir);
    await second.settings.start(SOURCE);
    const url = (await second.settings.get()).metricsUrl;
    expect(url).not.toBeNull();
    expect((await fetch(`${url ?? ''}/metrics`)).status).toBe(200);
    await second.settings.close();

    await writeFile(first.file, '{ not json');
    const third = await settingsIn(dir);
    await third.settings.start(SOURCE);
    expect((await third.settings.get()).settings.metricsAddress).toBeNull();
    expect(third.logs).toEqual(['warn: settings file ignored']);
  });

  it('from the command line (--dashboard): read-only, saying where the values come from', async () => {
    const settings = new CommandLineSettings({ metricsAddress: '127.0.0.1:9464', proxy: null });
    settings.listening('http://127.0.0.1:9464');
    expect(await settings.get()).toMatchObject({
      editable: false,
      settings: { metricsAddress: '127.0.0.1:9464' },
      metricsUrl: 'http://127.0.0.1:9464',
    });
    expect(await settings.set()).toMatchObject({ ok: false });
  });
});

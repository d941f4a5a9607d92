import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../../src/host/agent-host.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { startDashboard, type Dashboard } from '../../../src/host/dashboard-server.js';
import type { AgentSnapshot } from '../../../src/shared/agent-state.js';
import { httpRequest, readEvents } from './support/http.js';
import { unconfiguredHost } from './support/unconfigured-host.js';

describe('dashboard server (real sockets)', () => {
  let dir: string;
  let host: AgentHost<AgentConfig>;
  let dashboard: Dashboard;
  let origin: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-dashboard-'));
    const rendererDir = path.join(dir, 'renderer');
    await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Cluvio Agent</title>');
    await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(dir, 'outside.txt'), 'not for the browser');
    host = unconfiguredHost(dir);
    await host.start();
    dashboard = await startDashboard({ api: host, rendererDir });
    origin = new URL(dashboard.url).origin;
  });

  afterEach(async () => {
    await dashboard.close();
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = (name: string, body: unknown, headers: Record<string, string> = {}) =>
    httpRequest(`${dashboard.url}api/call/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('listens on 127.0.0.1 with a long random token in the URL, and serves the UI with a strict CSP', async () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/$/);
    const page = await httpRequest(dashboard.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Cluvio Agent</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    const script = await httpRequest(`${dashboard.url}assets/app.js`);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('refuses every request without the right token, UI and API alike', async () => {
    expect((await httpRequest(`${origin}/`)).status).toBe(403);
    expect((await httpRequest(`${origin}/index.html`)).status).toBe(403);
    const wrong = 'A'.repeat(43);
    expect((await httpRequest(`${origin}/${wrong}/`)).status).toBe(403);
    const forged = await httpRequest(`${origin}/${wrong}/api/call/getSnapshot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forged.status).toBe(403);
    expect(forged.body).not.toContain('phase');
  });

  it('refuses a Host header that is not a loopback name (DNS rebinding), whatever the port (SSH forwarding)', async () => {
    const port = new URL(dashboard.url).port;
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `10.0.0.5:${port}`,
      'localhost.evil.example',
    ]) {
      expect((await httpRequest(dashboard.url, { headers: { host } })).status).toBe(421);
    }
    for (const host of [`localhost:${port}`, 'localhost:8080', `127.0.0.1:${port}`, '[::1]:9000']) {
      expect((await httpRequest(dashboard.url, { headers: { host } })).status).toBe(200);
    }
    // Behind a forwarded port, the page's own origin is that of the forwarded address.
    const forwarded = await call('getSnapshot', {}, { host: 'localhost:8080', origin: 'http://localhost:8080' });
    expect(forwarded.status).toBe(200);
    const mismatched = await call('getSnapshot', {}, { host: 'localhost:8080', origin: `http://localhost:${port}` });
    expect(mismatched.status).toBe(403);
  });

  it('refuses cross-origin calls and accepts same-origin ones', async () => {
    const cross = await call('getSnapshot', {}, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    const crossSite = await call('getSnapshot', {}, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const same = await call('getSnapshot', {}, { origin, 'sec-fetch-site': 'same-origin' });
    expect(same.status).toBe(200);
    const reply = JSON.parse(same.body) as { ok: true; value: AgentSnapshot };
    expect(reply.ok).toBe(true);
    expect(reply.value.state).toEqual({ phase: 'unconfigured', problem: null });
    expect(reply.value.config).toBeNull();
  });

  it('validates call payloads and content type before they reach the agent', async () => {
    expect(JSON.parse((await call('setAutostart', { arg: 'yes' })).body)).toEqual({
      ok: false,
      error: 'expected true or false',
    });
    expect(JSON.parse((await call('importConfig', { arg: { fileName: 'a.toml' } })).body)).toMatchObject({
      ok: false,
      error: expect.stringContaining('text') as unknown,
    });
    expect((await call('deleteEverything', {})).status).toBe(404);
    const form = await httpRequest(`${dashboard.url}api/call/getSnapshot`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(form.status).toBe(415);
    const get = await httpRequest(`${dashboard.url}api/call/getSnapshot`);
    expect(get.status).toBe(405);
  });

  it('answers calls the headless host cannot perform plainly (no login item, no file manager)', async () => {
    expect(JSON.parse((await call('getAutostart', {})).body)).toEqual({
      ok: true,
      value: { supported: false, enabled: false },
    });
    expect(JSON.parse((await call('openConfigFolder', {})).body)).toEqual({
      ok: true,
      value: { path: path.join(dir, 'config'), opened: false },
    });
    expect(JSON.parse((await call('testAddress', { arg: 'db.internal:5432' })).body)).toMatchObject({
      ok: true,
      value: { ok: false, code: 'NotConfigured' },
    });
    expect(JSON.parse((await call('saveSupportBundle', {})).body)).toMatchObject({
      ok: true,
      value: { ok: false, error: expect.stringContaining('cannot be saved here') as unknown },
    });
    // The host picks where a bundle goes: a path from the page is refused before it reaches the host.
    expect(JSON.parse((await call('saveSupportBundle', { arg: '/tmp/x.tar.gz' })).body)).toEqual({
      ok: false,
      error: 'this call takes no argument',
    });
  });

  it('streams the snapshot over Server-Sent Events, current state first', async () => {
    const [first] = await readEvents(`${dashboard.url}api/events/snapshot`, 1);
    expect(first?.event).toBe('snapshot');
    expect((first?.data as AgentSnapshot).state.phase).toBe('unconfigured');
    expect((await httpRequest(`${dashboard.url}api/events/secrets`)).status).toBe(404);
  });

  it('serves nothing outside the renderer folder, however the path is encoded', async () => {
    expect((await httpRequest(`${dashboard.url}%2e%2e%2foutside.txt`)).status).toBe(404);
    expect((await httpRequest(`${dashboard.url}..%2f..%2foutside.txt`)).status).toBe(404);
    expect((await httpRequest(`${dashboard.url}assets%5c..%5c..%5coutside.txt`)).status).toBe(404);
  });

  it('will not listen on a non-loopback address', async () => {
    await expect(startDashboard({ api: host, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('closing ends open event streams and frees the port', async () => {
    const port = new URL(dashboard.url).port;
    const pending = readEvents(`${dashboard.url}api/events/logs`, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await dashboard.close();
    expect(await pending).toEqual([]);
    await expect(httpRequest(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    dashboard = await startDashboard({ api: host, rendererDir: path.join(dir, 'renderer') });
  });
});

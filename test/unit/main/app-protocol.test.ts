import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, createAppProtocolHandler } from '../../../src/main/app-protocol.js';

describe('app:// protocol', () => {
  let dir: string;
  let handle: (request: Request) => Promise<Response>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-app-'));
    await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>ok</title>');
    await writeFile(path.join(dir, 'renderer', 'assets', 'a.js'), 'export {}');
    await writeFile(path.join(dir, 'secret.toml'), 'secret-key = "x"');
    handle = createAppProtocolHandler(path.join(dir, 'renderer'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the renderer with the strict CSP', async () => {
    const response = await handle(new Request(appUrl('logs-window')));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>ok</title>');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await handle(new Request('app://agent/assets/a.js'))).headers.get('content-type')).toMatch(/javascript/);
  });

  it('serves nothing outside the renderer folder, for another host, or for other methods', async () => {
    expect((await handle(new Request('app://agent/..%2fsecret.toml'))).status).toBe(404);
    expect((await handle(new Request('app://agent/%2e%2e/secret.toml'))).status).toBe(404);
    expect((await handle(new Request('app://other/index.html'))).status).toBe(404);
    expect((await handle(new Request('app://agent/index.html', { method: 'POST', body: 'x' }))).status).toBe(404);
  });
});

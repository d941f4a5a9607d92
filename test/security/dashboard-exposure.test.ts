/**
 * The dashboard is reachable from this machine's loopback only and only with its token. This
 * adds to test/unit/host/dashboard-server.test.ts (token required, Host header / DNS rebinding,
 * cross-origin calls, refusing a non-loopback bind, path traversal):
 *
 * - nothing answers on any of the machine's other addresses, on the dashboard's port;
 * - tokens that nearly match (one character off, other case, a prefix, a suffix, encoded) fail;
 * - cross-origin and opaque-origin (`Origin: null`) requests fail on the event streams too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../src/host/agent-host.js';
import { startDashboard, type Dashboard } from '../../src/host/dashboard-server.js';
import type { AgentConfig } from '../../src/tunnel/config/index.js';
import { httpRequest } from '../unit/host/support/http.js';
import { unconfiguredHost } from '../unit/host/support/unconfigured-host.js';

let dir: string;
let host: AgentHost<AgentConfig>;
let dashboard: Dashboard;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cluvio-dashboard-exposure-'));
  host = unconfiguredHost(dir);
  await host.start();
  dashboard = await startDashboard({ api: host });
});

afterAll(async () => {
  await dashboard.close();
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

describe('dashboard exposure', () => {
  it('accepts connections on 127.0.0.1 and on none of the machine’s other addresses', async () => {
    const port = Number(new URL(dashboard.url).port);
    expect(await connects('127.0.0.1', port)).toBe(true);
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter(
        (info): info is os.NetworkInterfaceInfo =>
          info !== undefined && !info.internal && !info.address.startsWith('fe80:'),
      )
      .map((info) => info.address);
    for (const address of [...others, '::1', '127.0.0.2']) expect(await connects(address, port), address).toBe(false);
  });

  it('refuses tokens that nearly match', async () => {
    const url = new URL(dashboard.url);
    const token = url.pathname.split('/')[1] ?? '';
    const flip = (c: string): string => (c === 'A' ? 'B' : 'A');
    const nearMisses = [
      `${flip(token[0] ?? 'A')}${token.slice(1)}`,
      `${token.slice(0, -1)}${flip(token.at(-1) ?? 'A')}`,
      token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(),
      token.slice(0, -1),
      `${token}A`,
      encodeURIComponent(token).replace(/[A-Za-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
      '',
    ];
    for (const wrong of nearMisses) {
      const reply = await httpRequest(`${url.origin}/${wrong}/api/call/getSnapshot`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(reply.status, wrong).toBe(403);
      expect(reply.body).not.toContain('phase');
    }
  });

  it('refuses cross-origin and opaque-origin requests to the event streams and the page', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'http://localhost:1',
      `http://127.0.0.1:${new URL(dashboard.url).port}.evil.example`,
    ]) {
      expect((await httpRequest(`${dashboard.url}api/events/snapshot`, { headers: { origin } })).status, origin).toBe(
        403,
      );
      expect((await httpRequest(`${dashboard.url}api/events/logs`, { headers: { origin } })).status, origin).toBe(403);
    }
    expect((await httpRequest(dashboard.url, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await httpRequest(dashboard.url, { headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(403);
  });
});

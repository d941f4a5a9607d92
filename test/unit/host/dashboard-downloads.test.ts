/**
 * The dashboard's support bundle download: only a bundle this process saved, by its file name,
 * behind the token like everything else; any other name is a 404 without touching the disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../../src/host/agent-host.js';
import { type Dashboard, startDashboard } from '../../../src/host/dashboard-server.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { httpRequest } from './support/http.js';
import { unconfiguredHost } from './support/unconfigured-host.js';

const SAVED = 'cluvio-agent-support-2026-11-25T16-33-07-123Z.tar.gz';

describe('dashboard: support bundle download', () => {
  let dir: string;
  let host: AgentHost<AgentConfig>;
  let dashboard: Dashboard;
  const asked: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-dashboard-'));
    host = unconfiguredHost(dir);
    await host.start();
    asked.length = 0;
    dashboard = await startDashboard({
      api: host,
      rendererDir: dir,
      supportBundle: (name) => {
        asked.push(name);
        return Promise.resolve(name === SAVED ? Buffer.from([0x1f, 0x8b, 8, 0]) : null);
      },
    });
  });

  afterEach(async () => {
    await dashboard.close();
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a saved bundle as an attachment', async () => {
    const reply = await httpRequest(`${dashboard.url}api/support-bundle/${SAVED}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/gzip');
    expect(reply.headers['content-disposition']).toBe(`attachment; filename="${SAVED}"`);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 404 for a bundle it did not save, and never asks for a name that is not a bundle’s', async () => {
    const other = 'cluvio-agent-support-2020-01-01T00-00-00-000Z.tar.gz';
    expect((await httpRequest(`${dashboard.url}api/support-bundle/${other}`)).status).toBe(404);
    for (const name of ['..%2F..%2Fetc%2Fpasswd', 'cluvio-agent.toml', `${SAVED}%00.txt`, `x/${SAVED}`])
      expect((await httpRequest(`${dashboard.url}api/support-bundle/${name}`)).status).toBe(404);
    expect(asked).toEqual([other]);
  });

  it('needs the token and a GET', async () => {
    const origin = new URL(dashboard.url).origin;
    expect((await httpRequest(`${origin}/${'A'.repeat(43)}/api/support-bundle/${SAVED}`)).status).toBe(403);
    expect((await httpRequest(`${dashboard.url}api/support-bundle/${SAVED}`, { method: 'POST' })).status).toBe(405);
    expect(asked).toEqual([]);
  });
});

/**
 * The gateway as `serve` assembles it from `gateway.toml`: a self-signed certificate kept beside
 * the config (reused on restart, trusted by the reference agent), the agents file, configured
 * routes, and the admin endpoint file (0600, removed on close).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAdminFile } from '../../../src/gateway/admin-client.js';
import { parseGatewayConfig } from '../../../src/gateway/gateway-config.js';
import { type GatewayService, startGatewayService } from '../../../src/gateway/gateway-service.js';
import { formatRegistryToml } from '../../../src/gateway/registry-file.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { LogHub } from '../../../src/tunnel/log/index.js';
import { agentConfigToml } from '../../support/gateway-fixture.js';
import { REFERENCE_AGENT, spawnAgent } from '../../support/reference-agent.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('gateway service (serve)', () => {
  it('generates a self-signed certificate once, which the reference agent trusts; routes and admin file come up', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gateway-service-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const keys = generateKeyPair();
    await writeFile(
      path.join(dir, 'agents.toml'),
      formatRegistryToml([{ id: keys.agentId, name: 'edge', status: 'enabled' }]),
    );
    const configFile = path.join(dir, 'gateway.toml');
    const text = [
      'listen = "127.0.0.1:0"',
      'self-signed = ["localhost"]',
      'agents = "agents.toml"',
      '[[route]]',
      'agent = "edge"',
      'target = "127.0.0.1:5432"',
    ].join('\n');
    await writeFile(configFile, text);
    const config = parseGatewayConfig(text, configFile);

    const lines: string[] = [];
    const log = new LogHub();
    log.subscribe((record) => lines.push(`${record.message} ${JSON.stringify(record.fields)}`));
    const start = async (): Promise<GatewayService> => {
      const service = await startGatewayService(config, log);
      cleanups.push(() => service.close());
      return service;
    };
    const first = await start();
    const certificate = await readFile(path.join(dir, 'self-signed.crt'), 'utf8');
    expect((await stat(path.join(dir, 'self-signed.key'))).mode & 0o777).toBe(0o600);
    expect(first.gateway.routes()).toMatchObject([{ agent: keys.agentId, target: '127.0.0.1:5432' }]);
    expect((await stat(first.adminFile)).mode & 0o777).toBe(0o600);
    expect((await readAdminFile(first.adminFile)).url).toBe(first.admin.url);

    const agent = await spawnAgent(
      REFERENCE_AGENT,
      agentConfigToml({
        secretKey: keys.secretKey.exportBase64url(),
        host: 'localhost',
        port: first.gateway.port,
        trustPem: certificate,
      }),
    );
    cleanups.push(() => agent.stop());
    await first.gateway.waitForAgent('edge');

    await first.close();
    expect(existsSync(first.adminFile)).toBe(false);
    // The admin token and the private key never reach the logs.
    const privateKey = await readFile(path.join(dir, 'self-signed.key'), 'utf8');
    expect(lines.length).toBeGreaterThan(0);
    expect(
      lines.some((line) => line.includes(first.admin.token) || line.includes(privateKey.split('\n')[1] ?? '-')),
    ).toBe(false);
    const second = await start();
    expect(await readFile(path.join(dir, 'self-signed.crt'), 'utf8')).toBe(certificate);
    await second.close();
  });

  it('a route naming an agent that is not registered fails the start, leaving nothing behind', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gateway-service-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'agents.toml'), '');
    const configFile = path.join(dir, 'gateway.toml');
    const text = [
      'listen = "127.0.0.1:0"',
      'self-signed = ["localhost"]',
      'agents = "agents.toml"',
      '[[route]]',
      'agent = "ghost"',
      'target = "127.0.0.1:5432"',
    ].join('\n');
    await expect(startGatewayService(parseGatewayConfig(text, configFile), new LogHub())).rejects.toThrow(
      /no agent "ghost"/,
    );
    expect(existsSync(path.join(dir, 'gateway.admin.json'))).toBe(false);
  });
});

/**
 * Review (attacker with a gateway of their own): the import transaction's automatic roll-back must
 * not be a way for a gateway to undo the user's narrowing of `allowed-addresses`.
 *
 * The user runs on A (allowed-addresses = 127.0.0.0/8) and imports B — the same agent, the same
 * gateway, only `allowed-addresses` narrowed to 127.0.0.3/32. The gateway is trusted by the
 * protocol, and the allowlist is the user's limit on that trust. A gateway that answers the first
 * connection after the import with `Terminate{Unauthorized}` and accepts the next one used to get
 * A back: the host rolled back to the previous file on any definite refusal, and the gateway could
 * then reach 127.0.0.2, which B excludes. Nothing about B could have caused that refusal (same
 * key, same server); rolling back on it only ever served the gateway.
 *
 * Now a roll-back never widens what the agent may reach: when the previous file allows a target
 * the refused one does not, the refused file stays in place (status `refused`), the words say why,
 * and "Restore previous" is the user's choice to make. A roll-back that does not widen (the usual
 * case: a wrong key, a wrong trust, with the same or a wider list) still happens — the existing
 * tests in test/unit/host/host-config-changes.test.ts keep covering that.
 *
 * Real gateway over real TLS, the real host and engine, a real listener on the excluded address.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../src/host/agent-host.js';
import { AgentRegistry, type AgentEntry } from '../../src/gateway/agent-registry.js';
import { generateCertificateAuthority, issueServerCertificate } from '../../src/gateway/certificates.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { generateKeyPair, type KeyPair } from '../../src/tunnel/auth/index.js';
import type { AgentConfig } from '../../src/tunnel/config/index.js';
import { LogHub } from '../../src/tunnel/log/index.js';
import { agentConfigToml, GATEWAY_HOST } from '../support/gateway-fixture.js';
import { confinedHost } from '../unit/host/support/unconfigured-host.js';

const WAIT = { timeout: 30_000, interval: 20 };

/** A registry that, while `refusing`, does not know any agent (the gateway answers Unauthorized). */
class RefusingRegistry extends AgentRegistry {
  refusing = false;

  override get(id: string): AgentEntry | undefined {
    return this.refusing ? undefined : super.get(id);
  }
}

describe('a gateway refusing the narrowed file to get the wider one back', () => {
  let dir: string;
  let file: string;
  let registry: RefusingRegistry;
  let gateway: Gateway;
  let keys: KeyPair;
  let config: (allowed: readonly string[]) => string;
  let host: AgentHost<AgentConfig>;
  let excluded: Server;
  let excludedPort: number;
  let excludedHits: number;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-rollback-widen-'));
    await mkdir(path.join(dir, 'config'), { recursive: true });
    file = path.join(dir, 'config', 'cluvio-agent.toml');
    const ca = await generateCertificateAuthority('Rollback test CA');
    const leaf = await issueServerCertificate(ca, [GATEWAY_HOST]);
    registry = new RefusingRegistry();
    gateway = await Gateway.start({
      listen: { host: '127.0.0.1', port: 0 },
      pingIntervalMs: 1_000,
      tls: { certPem: leaf.certPem, keyPem: leaf.keyPem },
      agents: registry,
      log: new LogHub(),
    });
    keys = generateKeyPair();
    registry.set({ id: keys.agentId, name: 'victim', status: 'enabled' });
    config = (allowed) =>
      agentConfigToml({
        secretKey: keys.secretKey.exportBase64url(),
        host: GATEWAY_HOST,
        port: gateway.port,
        trustPem: ca.certPem,
        allowedAddresses: allowed,
      });
    excludedHits = 0;
    excluded = createServer((socket) => {
      excludedHits += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => excluded.listen(0, '127.0.0.2', resolve));
    excludedPort = (excluded.address() as AddressInfo).port;

    await writeFile(file, config(['127.0.0.0/8']), { mode: 0o600 });
    host = confinedHost(dir);
    await host.start();
    await gateway.waitForAgent(keys.agentId);
    // With A, the gateway reaches 127.0.0.2 — what the user is about to forbid.
    expect(await gateway.test(keys.agentId, `127.0.0.2:${excludedPort}`)).toEqual({ ok: true });
    await expect.poll(() => excludedHits, WAIT).toBe(1);
  });

  afterEach(async () => {
    await host.close();
    await gateway.close();
    await new Promise((resolve) => excluded.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('the narrowed file stays in place, and the gateway never reaches the address it excludes', async () => {
    const narrowed = config(['127.0.0.3/32']);
    // The hostile gateway: Unauthorized for the first connection after the import, then accepting again.
    registry.refusing = true;
    gateway.once('agent-rejected', () => {
      registry.refusing = false;
    });
    const result = await host.importConfig({ fileName: 'narrower.toml', text: narrowed });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const settled = ['refused', 'rolled-back'];
    await expect
      .poll(() => host.getConfigChanges().then((state) => settled.includes(state.last?.status ?? '')), WAIT)
      .toBe(true);
    // Today's answer to "has the gateway got A back?": wait until the host runs again (online on
    // A, or stopped on B), then let the gateway try the address B excludes.
    await expect.poll(() => ['online', 'terminated'].includes(host.snapshot().state.phase), WAIT).toBe(true);
    const attempt = await gateway.test(keys.agentId, `127.0.0.2:${excludedPort}`).catch((error: unknown) => error);
    expect(excludedHits).toBe(1);
    expect(attempt).not.toEqual({ ok: true });

    // The user's file stays, the engine runs (or stopped) on it: never on the wider one again.
    const state = await host.getConfigChanges();
    expect(state.last?.status).toBe('refused');
    expect(await readFile(file, 'utf8')).toBe(narrowed);
    expect(host.snapshot().config?.allowedAddresses).toEqual(['127.0.0.3/32']);
    expect(state.last?.message).toContain('not rolled back');
    expect(state.last?.message).toContain('127.0.0.0/8');
    expect(state.last?.fix).toContain('restore the previous configuration');
    expect(state.previous?.config.allowedAddresses).toEqual(['127.0.0.0/8']);
    expect(await host.getLogs({ level: 'warn', text: 'configuration rolled back' })).toHaveLength(0);
  });

  it('a refused file that allows as much as the previous one (or more) is still rolled back', async () => {
    const wider = config(['127.0.0.0/8', '*.corp.example']);
    registry.refusing = true;
    gateway.once('agent-rejected', () => {
      registry.refusing = false;
    });
    const result = await host.importConfig({ fileName: 'wider.toml', text: wider });
    expect(result.ok).toBe(true);
    await expect.poll(() => host.getConfigChanges().then((state) => state.last?.status), WAIT).toBe('rolled-back');
    expect(await readFile(file, 'utf8')).toBe(config(['127.0.0.0/8']));
    await expect.poll(() => host.snapshot().state.phase, WAIT).toBe('online');
  });
});

/**
 * The import transaction (issue 18) on the real host, the real engine and a real gateway: a file
 * the gateway refuses for good is rolled back and the agent is online again on the previous one;
 * a gateway that cannot be reached keeps the new file, with the previous one restorable; the
 * same file again changes nothing; backups stay owner-only and at most five; and the
 * confirmation step that every file arriving from outside the window goes through.
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentHost } from '../../../src/host/agent-host.js';
import { tunnelEngineFactory } from '../../../src/host/tunnel-engine-factory.js';
import { importArrivedConfig, type ImportQuestion } from '../../../src/host/arrived-config-import.js';
import { MAX_BACKUPS } from '../../../src/host/config-backups.js';
import type { ConfigChangesState } from '../../../src/shared/agent-api.js';
import { generateCertificateAuthority } from '../../../src/gateway/certificates.js';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { closedLoopbackPort, offlineConfig } from './support/offline-config.js';
import { confinedConfigBinding, confinedHost, TEST_APP_VERSION } from './support/unconfigured-host.js';

const WAIT = { timeout: 30_000, interval: 20 };

describe('importing over a working configuration, against a real gateway', () => {
  let dir: string;
  let file: string;
  let fixture: GatewayFixture;
  let keys: KeyPair;
  let working: string;
  let host: AgentHost<AgentConfig>;
  const states: ConfigChangesState[] = [];

  const backups = async (): Promise<string[]> =>
    (await readdir(path.dirname(file))).filter((name) => name.endsWith('.bak')).sort();

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-import-tx-'));
    await mkdir(path.join(dir, 'config'), { recursive: true });
    file = path.join(dir, 'config', 'cluvio-agent.toml');
    fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
    keys = fixture.addAgent('working');
    working = fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] });
    await writeFile(file, working, { mode: 0o600 });
    host = confinedHost(dir);
    await host.start();
    await fixture.gateway.waitForAgent(keys.agentId);
    states.length = 0;
    host.onConfigChanges((state) => states.push(state));
  });

  afterEach(async () => {
    await host.close();
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a key the gateway does not know (Unauthorized): rolled back, the previous file back in place, online again as the previous agent', async () => {
    const stranger = generateKeyPair(); // never registered: the file of another agent, or an old download
    const result = await host.importConfig({
      fileName: 'cluvio-agent (2).toml',
      text: fixture.agentConfigToml(stranger),
    });
    expect(result).toMatchObject({ ok: true, change: { status: 'rolled-back', backupPath: null } });
    if (!result.ok) return;
    expect(result.change.config.agentId).toBe(stranger.agentId);
    expect(result.change.message).toContain("The gateway does not know this agent's key (Unauthorized)");
    expect(result.change.message).toContain(`The previous configuration (agent ${keys.agentId}`);
    expect(result.change.fix).toBe(
      "Download this agent's configuration (cluvio-agent.toml) from Cluvio again and import it.",
    );
    expect(await readFile(file, 'utf8')).toBe(working);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await backups()).toEqual([]);
    await expect.poll(() => host.snapshot().state.phase, WAIT).toBe('online');
    expect(host.snapshot().config?.agentId).toBe(keys.agentId);
    expect((await fixture.gateway.waitForAgent(keys.agentId)).phase).toBe('accepted');
    expect(states.map((s) => s.last?.status)).toContain('connecting');
    expect(states.at(-1)?.last?.status).toBe('rolled-back');
    expect(await host.getLogs({ level: 'warn', text: 'configuration rolled back' })).toHaveLength(1);
  });

  it('a certificate the file’s trust does not accept: rolled back too, saying which server and why', async () => {
    const otherCa = await generateCertificateAuthority('Some other CA');
    const next = fixture.addAgent('next');
    const text = fixture.agentConfigToml(next, { trustPem: otherCa.certPem });
    const result = await host.importConfig({ fileName: 'wrong-trust.toml', text });
    expect(result).toMatchObject({ ok: true, change: { status: 'rolled-back' } });
    if (!result.ok) return;
    expect(result.change.message).toContain(`The gateway it names, localhost:${fixture.port}, presented a certificate`);
    expect(result.change.message).toMatch(/self.signed|unable to (get|verify)/);
    expect(await readFile(file, 'utf8')).toBe(working);
    await expect.poll(() => host.snapshot().config?.agentId, WAIT).toBe(keys.agentId);
    await expect.poll(() => host.snapshot().state.phase, WAIT).toBe('online');
  });

  it('a gateway that cannot be reached keeps the new file, says so, and "Restore previous" goes back — and can go forth again', async () => {
    const port = await closedLoopbackPort();
    const text = offlineConfig(port);
    const result = await host.importConfig({ fileName: 'offline.toml', text });
    expect(result).toMatchObject({ ok: true, change: { status: 'unreachable' } });
    if (!result.ok) return;
    expect(result.change.message).toContain(`the gateway localhost:${port} cannot be reached yet`);
    expect(result.change.message).toContain('The agent keeps trying.');
    expect(result.change.fix).toContain('restore the previous configuration');
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await backups()).toHaveLength(1);
    const state = await host.getConfigChanges();
    expect(state.previous?.config.agentId).toBe(keys.agentId);
    expect(state.previous?.difference.agentId).toEqual({ from: result.change.config.agentId, to: keys.agentId });

    const restored = await host.restorePreviousConfig();
    expect(restored).toMatchObject({ ok: true, change: { kind: 'restore', status: 'confirmed' } });
    expect(await readFile(file, 'utf8')).toBe(working);
    expect(host.snapshot().state.phase).toBe('online');
    // The file it replaced is the newest backup now: restoring again goes forth.
    const after = await host.getConfigChanges();
    expect(after.previous?.config.agentId).toBe(result.change.config.agentId);
    expect(await backups()).toHaveLength(1);
  });

  it('a definite refusal that comes later (the gateway reachable only after the import returned) still rolls back', async () => {
    const later = await startGatewayFixture({ pingIntervalMs: 1_000 });
    const port = later.port;
    const next = later.addAgent('next');
    const text = later.agentConfigToml(next);
    await later.close();
    const result = await host.importConfig({ fileName: 'later.toml', text });
    expect(result).toMatchObject({ ok: true, change: { status: 'unreachable' } });
    // Another gateway comes up on that port with a certificate from a CA the file does not trust.
    const impostor = await startGatewayFixture({ pingIntervalMs: 1_000, listen: { host: '127.0.0.1', port } });
    try {
      await expect.poll(() => states.at(-1)?.last?.status, WAIT).toBe('rolled-back');
      expect(await readFile(file, 'utf8')).toBe(working);
      await expect.poll(() => host.snapshot().state.phase, WAIT).toBe('online');
      expect(host.snapshot().config?.agentId).toBe(keys.agentId);
    } finally {
      await impostor.close();
    }
  });

  it('an agent disabled in Cluvio is no reason to roll back: kept, saying so', async () => {
    const disabled = fixture.addAgent('disabled', 'disabled');
    const result = await host.importConfig({ fileName: 'disabled.toml', text: fixture.agentConfigToml(disabled) });
    expect(result).toMatchObject({ ok: true, change: { status: 'disabled' } });
    if (!result.ok) return;
    expect(result.change.fix).toBe('Enable the agent in Cluvio; the agent checks again every 5 seconds.');
    expect(host.snapshot().config?.agentId).toBe(disabled.agentId);
  });

  it('the same file again is a no-op: "already in use", nothing written, no backup, no reconnect', async () => {
    const engineBefore = host.snapshot();
    const result = await host.importConfig({ fileName: 'cluvio-agent.toml', text: working.replace(/\n/g, '\r\n') });
    expect(result).toMatchObject({ ok: true, change: { status: 'unchanged', backupPath: null } });
    if (!result.ok) return;
    expect(result.change.message).toContain('is already in use');
    expect(await backups()).toEqual([]);
    expect(host.snapshot().counters.connectedSince).toBe(engineBefore.counters.connectedSince);
    expect(await host.getLogs({ level: 'info', text: 'configuration imported' })).toHaveLength(0);
  });

  it('going back and forth between two files keeps one backup of each, never the same content twice', async () => {
    const port = await closedLoopbackPort();
    const [a, b] = [offlineConfig(port), offlineConfig(port)];
    for (const text of [a, b, a, b]) await host.importConfig({ fileName: 'cluvio-agent.toml', text });
    const kept = await Promise.all((await backups()).map((n) => readFile(path.join(path.dirname(file), n), 'utf8')));
    expect(kept.sort()).toEqual([working, a, b].sort());
  });

  it(`keeps at most ${MAX_BACKUPS} backups, owner-only, the newest ones, never two alike`, async () => {
    const port = await closedLoopbackPort();
    const texts = Array.from({ length: MAX_BACKUPS + 3 }, () => offlineConfig(port));
    for (const text of texts) {
      const result = await host.importConfig({ fileName: 'cluvio-agent.toml', text });
      expect(result).toMatchObject({ ok: true, change: { status: 'unreachable' } });
    }
    const names = await backups();
    expect(names).toHaveLength(MAX_BACKUPS);
    const kept = await Promise.all(names.map((name) => readFile(path.join(path.dirname(file), name), 'utf8')));
    // The newest five replaced files: texts[2..6] (texts[7] is in use; `working` and texts[0..1] were pruned).
    expect(kept.sort()).toEqual(texts.slice(2, MAX_BACKUPS + 2).sort());
    for (const name of names) expect((await stat(path.join(path.dirname(file), name))).mode & 0o777).toBe(0o600);
    // Importing a file that is already a backup again: still five, none twice.
    await host.importConfig({ fileName: 'again.toml', text: texts[3] ?? '' });
    const again = await Promise.all((await backups()).map((n) => readFile(path.join(path.dirname(file), n), 'utf8')));
    expect(again).toHaveLength(MAX_BACKUPS);
    expect(new Set(again).size).toBe(MAX_BACKUPS);
  });
});

describe('an import replaced by another before the gateway answered', () => {
  it('answers at once (still waiting for its gateway), and the newer one takes over', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-import-race-'));
    // A gateway address that accepts TCP and never answers TLS: no answer for as long as connect-timeout.
    const silent = createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const host = new AgentHost<AgentConfig>({
      appVersion: TEST_APP_VERSION,
      transport: 'dashboard',
      config: confinedConfigBinding(dir),
      createEngine: tunnelEngineFactory({ version: TEST_APP_VERSION }),
      answerWaitMs: 10 * 60_000,
    });
    try {
      await host.start();
      const silentPort = (silent.address() as AddressInfo).port;
      const first = host.importConfig({
        fileName: 'silent.toml',
        text: offlineConfig(silentPort).replace('[server]', 'connect-timeout = "10m"\n[server]'),
      });
      await expect.poll(() => host.snapshot().state.phase, WAIT).toBe('connecting');
      const second = await host.importConfig({
        fileName: 'next.toml',
        text: offlineConfig(await closedLoopbackPort()),
      });
      expect(second).toMatchObject({ ok: true, change: { fileName: 'next.toml', status: 'unreachable' } });
      expect(await first).toMatchObject({ ok: true, change: { fileName: 'silent.toml', status: 'connecting' } });
      expect((await host.getConfigChanges()).last?.fileName).toBe('next.toml');
    } finally {
      await host.close();
      silent.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the first configuration (nothing to go back to)', () => {
  it('refused by the gateway: kept, and the words say there was nothing to go back to', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-import-first-'));
    const fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
    const host = confinedHost(dir);
    try {
      await host.start();
      const result = await host.importConfig({
        fileName: 'cluvio-agent.toml',
        text: fixture.agentConfigToml(generateKeyPair()),
      });
      expect(result).toMatchObject({ ok: true, change: { status: 'refused' } });
      if (!result.ok) return;
      expect(result.change.message).toContain('There was no working configuration to go back to');
      expect(host.snapshot().state).toMatchObject({ phase: 'terminated', reason: 'Unauthorized' });
    } finally {
      await host.close();
      await fixture.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the confirmation step for a file that arrives from outside the window', () => {
  let dir: string;
  let fixture: GatewayFixture;
  let host: AgentHost<AgentConfig>;
  const questions: ImportQuestion[] = [];
  const answer =
    (yes: boolean) =>
    (question: ImportQuestion): Promise<boolean> => {
      questions.push(question);
      return Promise.resolve(yes);
    };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-arrival-'));
    await mkdir(path.join(dir, 'config'), { recursive: true });
    fixture = await startGatewayFixture({ pingIntervalMs: 1_000 });
    host = confinedHost(dir);
    questions.length = 0;
  });
  afterEach(async () => {
    await host.close();
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a first configuration replaces nothing: imported without a question', async () => {
    await host.start();
    const first = fixture.addAgent('first');
    const outcome = await importArrivedConfig(
      host,
      { fileName: 'a.toml', text: fixture.agentConfigToml(first) },
      answer(false),
    );
    expect(questions).toEqual([]);
    expect(outcome).toMatchObject({
      kind: 'done',
      asked: false,
      result: { ok: true, change: { status: 'confirmed' } },
    });
  });

  it('over a working configuration: asks, showing the gateway, agent ID and allowed addresses that change; no → nothing changes', async () => {
    const first = fixture.addAgent('first');
    const file = path.join(dir, 'config', 'cluvio-agent.toml');
    const text = fixture.agentConfigToml(first, { allowedAddresses: ['10.0.0.0/8'] });
    await writeFile(file, text, { mode: 0o600 });
    await host.start();
    await fixture.gateway.waitForAgent(first.agentId);
    const second = fixture.addAgent('second');
    const request = {
      fileName: 'b.toml',
      text: fixture.agentConfigToml(second, { allowedAddresses: ['10.0.0.0/8', 'db.internal'], port: 444 }),
    };
    expect(await importArrivedConfig(host, request, answer(false))).toMatchObject({ kind: 'declined' });
    expect(questions).toHaveLength(1);
    expect(questions[0]?.changes).toEqual([
      `Gateway: localhost:${fixture.port} → localhost:444`,
      `Agent ID: ${first.agentId} → ${second.agentId} (another agent in Cluvio)`,
      'Allowed addresses added: db.internal',
    ]);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(host.snapshot()).toMatchObject({ config: { agentId: first.agentId }, state: { phase: 'online' } });

    // Yes: imported, and confirmed by the gateway.
    const yes = await importArrivedConfig(host, { ...request, text: fixture.agentConfigToml(second) }, answer(true));
    expect(yes).toMatchObject({ kind: 'done', asked: true, result: { ok: true, change: { status: 'confirmed' } } });
    expect(host.snapshot().config?.agentId).toBe(second.agentId);
  });

  it('the file already in use, and a file that is not a configuration, are answered without a question', async () => {
    const first = fixture.addAgent('first');
    const text = fixture.agentConfigToml(first);
    await writeFile(path.join(dir, 'config', 'cluvio-agent.toml'), text, { mode: 0o600 });
    await host.start();
    expect(await importArrivedConfig(host, { fileName: 'same.toml', text }, answer(true))).toMatchObject({
      kind: 'done',
      asked: false,
      result: { ok: true, change: { status: 'unchanged' } },
    });
    const cargo = await importArrivedConfig(
      host,
      { fileName: 'Cargo.toml', text: '[package]\nname = "x"\n' },
      answer(true),
    );
    expect(cargo).toMatchObject({ kind: 'done', result: { ok: false } });
    expect(questions).toEqual([]);
  });
});

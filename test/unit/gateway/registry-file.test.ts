/** The agents file: parsing with errors that name the entry, reload on change, save, and the registry's events. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentRegistry, type RegistryChange } from '../../../src/gateway/agent-registry.js';
import { RegistryFileWatcher, parseRegistryToml } from '../../../src/gateway/registry-file.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { LogHub } from '../../../src/tunnel/log/index.js';
import { waitUntil } from '../../support/gateway-fixture.js';

const dirs: string[] = [];
const watchers: RegistryFileWatcher[] = [];
afterEach(async () => {
  for (const watcher of watchers.splice(0)) watcher.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const A = generateKeyPair().agentId;
const B = generateKeyPair().agentId;

function entry(id: string, name: string, status = 'enabled'): string {
  return `[[agent]]\nid = "${id}"\nname = "${name}"\nstatus = "${status}"\n`;
}

async function registryFile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gateway-registry-'));
  dirs.push(dir);
  const file = path.join(dir, 'agents.toml');
  await writeFile(file, text);
  return file;
}

describe('agents file', () => {
  it('parses entries, with name and status defaults', () => {
    expect(parseRegistryToml(`${entry(A, 'warehouse', 'disabled')}\n[[agent]]\nid = "${B}"\n`, 'agents.toml')).toEqual([
      { id: A, name: 'warehouse', status: 'disabled' },
      { id: B, name: B.slice(0, 8), status: 'enabled' },
    ]);
    expect(parseRegistryToml('', 'agents.toml')).toEqual([]);
  });

  it.each([
    ['not TOML', '[[agent]\n', /agents\.toml: not valid TOML/],
    [
      'an id that is not a key',
      '[[agent]]\nid = "abc"\n',
      /\[\[agent\]\] #1 id: agent id "abc" is not an agent public key/,
    ],
    ['a key with padding', `[[agent]]\nid = "${A}="\n`, /invalid base64/],
    ['a missing id', '[[agent]]\nname = "x"\n', /#1 id: expected the agent id/],
    ['an unknown status', `[[agent]]\nid = "${A}"\nstatus = "paused"\n`, /#1 status: expected "enabled" or "disabled"/],
    ['the same agent twice', `${entry(A, 'a')}${entry(A, 'b')}`, /#2 id: agent .* is listed twice/],
  ])('refuses %s, naming the entry and key', (_what, text, message) => {
    expect(() => parseRegistryToml(text, 'agents.toml')).toThrow(message);
  });

  it('reloads on change; a broken file keeps the previous agents', async () => {
    const file = await registryFile(entry(A, 'a'));
    const registry = new AgentRegistry();
    const log = new LogHub();
    const messages: string[] = [];
    log.subscribe((record) => messages.push(record.message));
    const watcher = new RegistryFileWatcher({ file, registry, log: log.logger('test'), debounceMs: 20 });
    watchers.push(watcher);
    await watcher.start();
    expect(registry.list().map((agent) => agent.id)).toEqual([A]);

    const changes: RegistryChange[] = [];
    registry.on('change', (change) => changes.push(change));
    await writeFile(file, `${entry(A, 'a', 'disabled')}${entry(B, 'b')}`);
    await waitUntil(() => registry.get(B) !== undefined, 'the new agent was loaded');
    expect(registry.get(A)?.status).toBe('disabled');
    expect(
      changes.flatMap((change) =>
        change.changes.map(({ before, after }) => [before?.status ?? null, after?.status ?? null]),
      ),
    ).toEqual([
      ['enabled', 'disabled'],
      [null, 'enabled'],
    ]);

    await writeFile(file, '[[agent]]\nid = "broken"\n');
    await waitUntil(
      () => messages.includes('agents file not reloaded; keeping the previous agents'),
      'the broken file was reported',
    );
    expect(
      registry
        .list()
        .map((agent) => agent.id)
        .sort(),
    ).toEqual([A, B].sort());
  });

  it('reload() re-reads on request (SIGHUP) and save() writes the registry back', async () => {
    const file = await registryFile(entry(A, 'a'));
    const registry = new AgentRegistry();
    const watcher = new RegistryFileWatcher({ file, registry, log: new LogHub().logger('test'), debounceMs: 60_000 });
    watchers.push(watcher);
    await watcher.start();
    await writeFile(file, entry(B, 'b'));
    await watcher.reload();
    expect(registry.list().map((agent) => agent.id)).toEqual([B]);

    registry.setStatus(B, 'disabled');
    await watcher.save();
    expect(parseRegistryToml(await readFile(file, 'utf8'), file)).toEqual([{ id: B, name: 'b', status: 'disabled' }]);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('a file that cannot be read at start is an error naming it', async () => {
    const watcher = new RegistryFileWatcher({
      file: '/nonexistent/agents.toml',
      registry: new AgentRegistry(),
      log: new LogHub().logger('test'),
    });
    await expect(watcher.start()).rejects.toThrow(/\/nonexistent\/agents\.toml: cannot read the agents file/);
  });
});

describe('agent registry', () => {
  it('finds agents by id or by a unique name', () => {
    const C = generateKeyPair().agentId;
    const registry = new AgentRegistry([
      { id: A, name: 'a', status: 'enabled' },
      { id: B, name: 'twin', status: 'enabled' },
      { id: C, name: 'twin', status: 'enabled' },
    ]);
    expect(registry.find(A)?.name).toBe('a');
    expect(registry.find('a')?.id).toBe(A);
    expect(registry.find('twin')).toBeUndefined();
    expect(() => {
      registry.set({ id: 'not-a-key', name: 'x', status: 'enabled' });
    }).toThrow(/not an agent public key/);
  });
});

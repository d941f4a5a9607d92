import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../../src/host/agent-host.js';
import {
  createSenderPolicy,
  type IpcEvent,
  type IpcMainSurface,
  type IpcSender,
  registerAgentIpc,
} from '../../../src/main/ipc-handlers.js';
import { AGENT_CALLS, type CallReply } from '../../../src/shared/agent-api-protocol.js';
import type { AgentSnapshot } from '../../../src/shared/agent-state.js';
import { callChannel, eventChannel, IpcChannel } from '../../../src/shared/ipc-channels.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { unconfiguredHost } from '../host/support/unconfigured-host.js';

/** Electron's ipcMain as a registry the test can send through, as a renderer would. */
class IpcMainRegistry implements IpcMainSurface {
  readonly handlers = new Map<string, (event: IpcEvent, arg: unknown) => Promise<CallReply>>();
  readonly listeners = new Map<string, ((event: IpcEvent, arg: unknown) => void)[]>();
  handle(channel: string, listener: (event: IpcEvent, arg: unknown) => Promise<CallReply>): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: (event: IpcEvent, arg: unknown) => void): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  }
  removeListener(channel: string, listener: (event: IpcEvent, arg: unknown) => void): void {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((l) => l !== listener),
    );
  }
  invoke(channel: string, event: IpcEvent, arg: unknown): Promise<CallReply> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`no handler for ${channel}`);
    return handler(event, arg);
  }
  send(channel: string, event: IpcEvent, arg: unknown): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event, arg);
  }
}

class Sender implements IpcSender {
  readonly received: { channel: string; payload: unknown }[] = [];
  destroyed = false;
  #onDestroyed: (() => void)[] = [];
  constructor(readonly id: number) {}
  send(channel: string, payload: unknown): void {
    this.received.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  once(_event: 'destroyed', listener: () => void): void {
    this.#onDestroyed.push(listener);
  }
  destroy(): void {
    this.destroyed = true;
    for (const listener of this.#onDestroyed) listener();
  }
}

const ORIGIN = 'app://agent';
const event = (sender: Sender, url = `${ORIGIN}/index.html`, parent: unknown = null): IpcEvent => ({
  sender,
  senderFrame: { url, parent },
});

describe('IPC handlers', () => {
  let dir: string;
  let host: AgentHost<AgentConfig>;
  let ipc: IpcMainRegistry;
  let refused: string[];
  let unregister: () => void;
  const ours = new Sender(1);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-ipc-'));
    host = unconfiguredHost(dir);
    await host.start();
    ipc = new IpcMainRegistry();
    refused = [];
    unregister = registerAgentIpc({
      ipcMain: ipc,
      api: host,
      isTrusted: createSenderPolicy((id) => id === ours.id, ORIGIN),
      onRefused: (r) => refused.push(r),
    });
  });

  afterEach(async () => {
    unregister();
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers calls from our window on our page', async () => {
    const reply = await ipc.invoke(callChannel('getSnapshot'), event(ours), undefined);
    expect(reply.ok).toBe(true);
    expect(reply.ok && (reply.value as AgentSnapshot).state.phase).toBe('unconfigured');
  });

  it('refuses calls from another page, a subframe, or a web contents that is not ours', async () => {
    const stranger = new Sender(2);
    const attempts = [
      event(ours, 'https://evil.example/index.html'),
      event(ours, 'file:///etc/passwd'),
      event(ours, `${ORIGIN}/index.html`, { url: `${ORIGIN}/index.html` }),
      event(stranger),
      { sender: ours, senderFrame: null },
    ];
    for (const attempt of attempts) {
      expect(await ipc.invoke(callChannel('importConfig'), attempt, { fileName: 'a.toml', text: 'x' })).toEqual({
        ok: false,
        error: 'refused: unknown sender',
      });
    }
    expect(refused).toHaveLength(attempts.length);
  });

  it('rejects payloads that do not match the call before they reach the agent', async () => {
    expect(await ipc.invoke(callChannel('setAutostart'), event(ours), 'true')).toEqual({
      ok: false,
      error: 'expected true or false',
    });
    expect(await ipc.invoke(callChannel('getLogs'), event(ours), { level: 'verbose', text: '' })).toMatchObject({
      ok: false,
    });
    expect(
      await ipc.invoke(callChannel('importConfig'), event(ours), {
        fileName: 'a.toml',
        text: 'x'.repeat(1024 * 1024 + 1),
      }),
    ).toMatchObject({ ok: false, error: expect.stringContaining('1 MiB') as unknown });
    expect(await ipc.invoke(callChannel('getSnapshot'), event(ours), { sneaky: true })).toEqual({
      ok: false,
      error: 'this call takes no argument',
    });
  });

  it('registers one channel per AgentApi call, saveSupportBundle included, and removes them all', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(AGENT_CALLS.map((name) => callChannel(name)).sort());
    expect(ipc.handlers.has('agent:call:saveSupportBundle')).toBe(true);
    unregister();
    expect(ipc.handlers.size).toBe(0);
    unregister = () => undefined;
  });

  it('saveSupportBundle: only our window may ask, and never with a path (the host picks where)', async () => {
    const channel = callChannel('saveSupportBundle');
    expect(await ipc.invoke(channel, event(ours, 'https://evil.example/index.html'), undefined)).toEqual({
      ok: false,
      error: 'refused: unknown sender',
    });
    for (const arg of ['/home/ana/.ssh/authorized_keys', { path: '/tmp/x.tar.gz' }, { dir: '/etc' }]) {
      expect(await ipc.invoke(channel, event(ours), arg)).toEqual({ ok: false, error: 'this call takes no argument' });
    }
    // This test host has no folder for bundles: it says so, nothing is written.
    expect(await ipc.invoke(channel, event(ours), undefined)).toEqual({
      ok: true,
      value: { ok: false, error: expect.stringContaining('cannot be saved here') as unknown },
    });
    expect(refused).toHaveLength(4);
  });

  it('pushes a subscribed topic to the window that asked, and stops when it is destroyed', async () => {
    const window = new Sender(1);
    ipc.send(IpcChannel.subscribe, event(window), 'snapshot');
    expect(window.received.map((m) => m.channel)).toEqual([eventChannel('snapshot')]);
    ipc.send(IpcChannel.subscribe, event(window), 'logs');
    host.record('info', 'test', 'hello');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(window.received.map((m) => m.channel)).toEqual([eventChannel('snapshot'), eventChannel('logs')]);
    window.destroy();
    host.record('info', 'test', 'after');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(window.received).toHaveLength(2);
  });

  it('ignores subscriptions from strangers and to unknown topics', () => {
    const stranger = new Sender(7);
    ipc.send(IpcChannel.subscribe, event(stranger), 'snapshot');
    ipc.send(IpcChannel.subscribe, event(ours), 'secrets');
    expect(stranger.received).toEqual([]);
    expect(refused).toHaveLength(2);
  });
});

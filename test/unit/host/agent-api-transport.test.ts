import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHost } from '../../../src/host/agent-host.js';
import { AgentApiError, type AgentTransport, createAgentApiClient } from '../../../src/shared/agent-api-client.js';
import { dispatchAgentCall, subscribeAgentTopic } from '../../../src/shared/agent-api-dispatch.js';
import type { AgentTopic } from '../../../src/shared/agent-api-protocol.js';
import type { AgentSnapshot } from '../../../src/shared/agent-state.js';
import type { AgentConfig } from '../../../src/tunnel/config/index.js';
import { unconfiguredHost } from './support/unconfigured-host.js';

/**
 * The client and the dispatcher back to back through a JSON round trip (what IPC's structured
 * clone and HTTP do to payloads), counting the transport subscriptions made.
 */
function jsonTransport(host: AgentHost<AgentConfig>, opened: AgentTopic[]): AgentTransport {
  const clone = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null)) as unknown;
  return {
    call: async (name, arg) => clone(await dispatchAgentCall(host, name, clone(arg) ?? undefined)) as never,
    subscribe: (topic, listener) => {
      opened.push(topic);
      return subscribeAgentTopic(host, topic, (payload) => {
        listener(clone(payload));
      });
    },
  };
}

describe('AgentApi over a transport', () => {
  let dir: string;
  let host: AgentHost<AgentConfig>;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-api-'));
    host = unconfiguredHost(dir);
    await host.start();
  });
  afterEach(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('calls return the host’s answers and failures become AgentApiError with the reason', async () => {
    const api = createAgentApiClient(jsonTransport(host, []));
    expect((await api.getSnapshot()).state).toEqual({ phase: 'unconfigured', problem: null });
    expect(await api.getHostInfo()).toMatchObject({
      transport: 'dashboard',
      configTarget: path.join(dir, 'config', 'cluvio-agent.toml'),
    });
    await expect(api.getLogs({ level: 'loud' as 'info', text: '' })).rejects.toThrow(AgentApiError);
    await expect(api.getLogs({ level: 'loud' as 'info', text: '' })).rejects.toThrow(/level must be one of/);
  });

  it('shares one transport subscription per topic, replays the current snapshot to late listeners, and closes it with the last one', () => {
    const opened: AgentTopic[] = [];
    const api = createAgentApiClient(jsonTransport(host, opened));
    const first: AgentSnapshot[] = [];
    const second: AgentSnapshot[] = [];
    const stopFirst = api.onSnapshot((s) => first.push(s));
    const stopSecond = api.onSnapshot((s) => second.push(s));
    expect(opened).toEqual(['snapshot']);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    stopFirst();
    stopFirst();
    stopSecond();
    api.onSnapshot(() => undefined)();
    expect(opened).toEqual(['snapshot', 'snapshot']);
  });
});

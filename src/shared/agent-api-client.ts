/**
 * The sending end of a transport: an `AgentApi` built on two primitives, `call` and `subscribe`.
 * The preload (over IPC) and the renderer's dashboard adapter (over HTTP + SSE) both use it.
 */
import type { AgentApi, Unsubscribe } from './agent-api.js';
import type {
  AgentCallArg,
  AgentCallName,
  AgentCallResult,
  AgentTopic,
  AgentTopicPayloads,
  CallReply,
} from './agent-api-protocol.js';

export interface AgentTransport {
  call(name: AgentCallName, arg: unknown): Promise<CallReply>;
  /** Starts delivering a topic; the returned function stops it. One subscription per topic is made. */
  subscribe(topic: AgentTopic, listener: (payload: unknown) => void): Unsubscribe;
}

export class AgentApiError extends Error {
  constructor(
    readonly call: AgentCallName,
    message: string,
  ) {
    super(message);
    this.name = 'AgentApiError';
  }
}

/** Topics whose latest payload is the whole state, replayed to a listener that joins later. */
const STATEFUL_TOPICS: ReadonlySet<AgentTopic> = new Set(['snapshot', 'streams']);

export function createAgentApiClient(transport: AgentTransport): AgentApi {
  async function call<N extends AgentCallName>(name: N, arg: AgentCallArg<N>): Promise<AgentCallResult<N>> {
    const reply = await transport.call(name, arg);
    if (!reply.ok) throw new AgentApiError(name, reply.error);
    return reply.value as AgentCallResult<N>;
  }

  // One transport subscription per topic, shared by all listeners of that topic.
  const topics = new Map<
    AgentTopic,
    { listeners: Set<(payload: unknown) => void>; last: unknown; stop: Unsubscribe }
  >();

  function on<T extends AgentTopic>(topic: T, listener: (payload: AgentTopicPayloads[T]) => void): Unsubscribe {
    const typed = (payload: unknown): void => {
      listener(payload as AgentTopicPayloads[T]);
    };
    const entry = topics.get(topic);
    if (entry === undefined) {
      // Listening before subscribing: a transport may deliver the current state synchronously.
      const created = { listeners: new Set([typed]), last: undefined as unknown, stop: (): void => undefined };
      topics.set(topic, created);
      created.stop = transport.subscribe(topic, (payload) => {
        if (STATEFUL_TOPICS.has(topic)) created.last = payload;
        for (const each of [...created.listeners]) each(payload);
      });
    } else {
      if (entry.last !== undefined) typed(entry.last);
      entry.listeners.add(typed);
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const current = topics.get(topic);
      if (current === undefined) return;
      current.listeners.delete(typed);
      if (current.listeners.size === 0) {
        topics.delete(topic);
        current.stop();
      }
    };
  }

  return {
    getHostInfo: () => call('getHostInfo', undefined),
    getSnapshot: () => call('getSnapshot', undefined),
    onSnapshot: (listener) => on('snapshot', listener),
    getStreams: () => call('getStreams', undefined),
    onStreams: (listener) => on('streams', listener),
    getLogs: (filter) => call('getLogs', filter),
    onLog: (listener) => on('logs', listener),
    importConfig: (request) => call('importConfig', request),
    testAddress: (target) => call('testAddress', target),
    getAutostart: () => call('getAutostart', undefined),
    setAutostart: (enabled) => call('setAutostart', enabled),
    openConfigFolder: () => call('openConfigFolder', undefined),
    diagnose: () => call('diagnose', undefined),
    saveSupportBundle: () => call('saveSupportBundle', undefined),
    getAppSettings: () => call('getAppSettings', undefined),
    setAppSettings: (settings) => call('setAppSettings', settings),
  };
}

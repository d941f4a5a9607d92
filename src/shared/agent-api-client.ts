/**
 * The sending end of a transport: an `AgentApi` built from the declaration (agent-api.ts) on two
 * primitives, `call` and `subscribe`. The preload (over IPC) and the renderer's dashboard adapter
 * (over HTTP + SSE) both use it.
 */
import { AGENT_API, type AgentApi, type Unsubscribe } from './agent-api.js';
import { NO_ARGUMENT } from './agent-api-arguments.js';
import {
  AGENT_CALLS,
  AGENT_TOPICS,
  type AgentCallName,
  type AgentTopic,
  type CallReply,
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

export function createAgentApiClient(transport: AgentTransport): AgentApi {
  async function call(name: AgentCallName, arg: unknown): Promise<unknown> {
    const reply = await transport.call(name, arg);
    if (!reply.ok) throw new AgentApiError(name, reply.error);
    return reply.value;
  }

  // One transport subscription per topic, shared by all listeners of that topic.
  const topics = new Map<
    AgentTopic,
    { listeners: Set<(payload: unknown) => void>; last: unknown; stop: Unsubscribe }
  >();

  function on(topic: AgentTopic, listener: (payload: unknown) => void): Unsubscribe {
    // Its own entry, so a listener subscribed twice is also unsubscribed one at a time.
    const own = (payload: unknown): void => {
      listener(payload);
    };
    const entry = topics.get(topic);
    if (entry === undefined) {
      // Listening before subscribing: a transport may deliver the current state synchronously.
      const created = { listeners: new Set([own]), last: undefined as unknown, stop: (): void => undefined };
      topics.set(topic, created);
      created.stop = transport.subscribe(topic, (payload) => {
        if (AGENT_API.topics[topic].stateful) created.last = payload;
        for (const each of [...created.listeners]) each(payload);
      });
    } else {
      if (entry.last !== undefined) own(entry.last);
      entry.listeners.add(own);
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const current = topics.get(topic);
      if (current === undefined) return;
      current.listeners.delete(own);
      if (current.listeners.size === 0) {
        topics.delete(topic);
        current.stop();
      }
    };
  }

  const api: Record<string, unknown> = {};
  for (const name of AGENT_CALLS) {
    // A call without an argument sends none, whatever it is called with (e.g. as an event handler).
    api[name] =
      AGENT_API.calls[name].argument === NO_ARGUMENT ? () => call(name, undefined) : (arg: unknown) => call(name, arg);
  }
  for (const topic of AGENT_TOPICS) {
    api[AGENT_API.topics[topic].method] = (listener: (payload: unknown) => void) => on(topic, listener);
  }
  // Every call and topic of the declaration is set above, each with its declared shape.
  return api as AgentApi;
}

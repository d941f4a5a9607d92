/**
 * The receiving end of a transport, derived from the declaration (agent-api.ts): checks a call's
 * argument against its schema and runs it on an `AgentApi`, turning every outcome into a
 * `CallReply`; subscribes a listener to a topic through the topic's method.
 */
import * as v from 'valibot';
import { AGENT_API, type AgentApi, type AgentCallName, type AgentTopic, type Unsubscribe } from './agent-api.js';
import type { CallReply } from './agent-api-protocol.js';
import { NO_ARGUMENT } from './agent-api-arguments.js';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The argument of call `name` as received from a transport, checked: the first broken rule's words, or the value. */
export function checkCallArg(
  name: AgentCallName,
  raw: unknown,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  const checked = v.safeParse(AGENT_API.calls[name].argument, raw, { abortEarly: true });
  return checked.success ? { ok: true, value: checked.output } : { ok: false, error: checked.issues[0].message };
}

export async function dispatchAgentCall(api: AgentApi, name: AgentCallName, rawArg: unknown): Promise<CallReply> {
  const arg = checkCallArg(name, rawArg);
  if (!arg.ok) return { ok: false, error: arg.error };
  try {
    // The schema of `name` yielded exactly the argument type of the method `name`.
    const method = api[name] as (this: AgentApi, ...args: unknown[]) => Promise<unknown>;
    const args = AGENT_API.calls[name].argument === NO_ARGUMENT ? [] : [arg.value];
    return { ok: true, value: await method.apply(api, args) };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

export function subscribeAgentTopic(
  api: AgentApi,
  topic: AgentTopic,
  listener: (payload: unknown) => void,
): Unsubscribe {
  const subscribe = api[AGENT_API.topics[topic].method] as (
    this: AgentApi,
    listener: (payload: unknown) => void,
  ) => Unsubscribe;
  return subscribe.call(api, listener);
}

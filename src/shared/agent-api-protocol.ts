/**
 * How `AgentApi` travels over a message transport (Electron IPC or the dashboard's HTTP + SSE):
 * the names of its calls and subscription topics, taken from the declaration (agent-api.ts), and
 * the reply envelope. Both transports carry exactly these, so one dispatcher and one client serve
 * both.
 */
import { AGENT_API, type AgentCallName, type AgentTopic } from './agent-api.js';

export type { AgentCallArg, AgentCallName, AgentCallResult, AgentTopic, AgentTopicPayload } from './agent-api.js';

export const AGENT_CALLS = Object.keys(AGENT_API.calls) as readonly AgentCallName[];
export const AGENT_TOPICS = Object.keys(AGENT_API.topics) as readonly AgentTopic[];

/** Every reply: a value, or an error message (errors never cross as exceptions). */
export type CallReply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export function isAgentCallName(value: unknown): value is AgentCallName {
  return typeof value === 'string' && Object.hasOwn(AGENT_API.calls, value);
}

export function isAgentTopic(value: unknown): value is AgentTopic {
  return typeof value === 'string' && Object.hasOwn(AGENT_API.topics, value);
}

/**
 * How `AgentApi` travels over a message transport (Electron IPC or the dashboard's HTTP + SSE):
 * the names of its calls and subscription topics, and the reply envelope. Both transports carry
 * exactly these, so one validator and one client serve both.
 */
import type { AgentApi } from './agent-api.js';
import type { AgentSnapshot, StreamInfo } from './agent-state.js';
import type { LogRecord } from './log-record.js';

export const AGENT_CALLS = [
  'getHostInfo',
  'getSnapshot',
  'getStreams',
  'getLogs',
  'importConfig',
  'testAddress',
  'getAutostart',
  'setAutostart',
  'openConfigFolder',
  'diagnose',
  'saveSupportBundle',
  'getAppSettings',
  'setAppSettings',
] as const;
export type AgentCallName = (typeof AGENT_CALLS)[number];

/** The argument of a call (`undefined` for calls without one). */
export type AgentCallArg<N extends AgentCallName> = Parameters<AgentApi[N]>[0];
export type AgentCallResult<N extends AgentCallName> = Awaited<ReturnType<AgentApi[N]>>;

export const AGENT_TOPICS = ['snapshot', 'streams', 'logs'] as const;
export type AgentTopic = (typeof AGENT_TOPICS)[number];

export interface AgentTopicPayloads {
  snapshot: AgentSnapshot;
  streams: readonly StreamInfo[];
  logs: readonly LogRecord[];
}

/** Every reply: a value, or an error message (errors never cross as exceptions). */
export type CallReply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export function isAgentCallName(value: unknown): value is AgentCallName {
  return typeof value === 'string' && (AGENT_CALLS as readonly string[]).includes(value);
}

export function isAgentTopic(value: unknown): value is AgentTopic {
  return typeof value === 'string' && (AGENT_TOPICS as readonly string[]).includes(value);
}

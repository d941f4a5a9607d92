/**
 * Electron IPC channel names, one per `AgentApi` call plus the subscription channels. The preload
 * and the main process import these; no other string names a channel.
 */
import type { AgentCallName, AgentTopic } from './agent-api-protocol.js';

export const IpcChannel = {
  /** renderer → main, `invoke`: `agent:call:<name>` with the call's argument, replies `CallReply`. */
  callPrefix: 'agent:call:',
  /** renderer → main, `send`: start pushing a topic to this window. Payload: the topic. */
  subscribe: 'agent:subscribe',
  /** renderer → main, `send`: stop pushing a topic to this window. Payload: the topic. */
  unsubscribe: 'agent:unsubscribe',
  /** main → renderer: `agent:event:<topic>` with the topic's payload. */
  eventPrefix: 'agent:event:',
} as const;

export function callChannel(name: AgentCallName): string {
  return `${IpcChannel.callPrefix}${name}`;
}

export function eventChannel(topic: AgentTopic): string {
  return `${IpcChannel.eventPrefix}${topic}`;
}

/**
 * The main process's end of the preload bridge. Every message is checked twice before it reaches
 * the agent: the sender must be a window of ours showing our own page (`app://agent/`), and the
 * payload must pass the shared validator of its call or be a known topic.
 */
import type { AgentApi, Unsubscribe } from '../shared/agent-api.js';
import { AGENT_CALLS, type AgentTopic, type CallReply, isAgentTopic } from '../shared/agent-api-protocol.js';
import { dispatchAgentCall, subscribeAgentTopic } from '../shared/agent-api-dispatch.js';
import { callChannel, eventChannel, IpcChannel } from '../shared/ipc-channels.js';

/** The parts of Electron's WebContents and IPC events used here (Electron's types satisfy them). */
export interface IpcSender {
  readonly id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcEvent {
  readonly sender: IpcSender;
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcMainSurface {
  handle(channel: string, listener: (event: IpcEvent, arg: unknown) => Promise<CallReply>): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcEvent, arg: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: IpcEvent, arg: unknown) => void): unknown;
}

/** Decides whether a message comes from one of our windows, on our page, in its top frame. */
export type SenderPolicy = (event: IpcEvent) => boolean;

export function createSenderPolicy(isOurWindow: (webContentsId: number) => boolean, appOrigin: string): SenderPolicy {
  // Compared by scheme and host: Node's URL gives a custom scheme the opaque origin "null".
  const expected = new URL(appOrigin);
  return (event) => {
    const frame = event.senderFrame;
    if (frame === null || frame.parent !== null) return false;
    let url: URL;
    try {
      url = new URL(frame.url);
    } catch {
      return false;
    }
    return url.protocol === expected.protocol && url.host === expected.host && isOurWindow(event.sender.id);
  };
}

export interface AgentIpcOptions {
  readonly ipcMain: IpcMainSurface;
  readonly api: AgentApi;
  readonly isTrusted: SenderPolicy;
  /** Told about every refused message (for the log). */
  readonly onRefused: (reason: string) => void;
}

/** Registers every call and subscription channel; the returned function removes them. */
export function registerAgentIpc({ ipcMain, api, isTrusted, onRefused }: AgentIpcOptions): () => void {
  for (const name of AGENT_CALLS) {
    ipcMain.handle(callChannel(name), async (event, arg): Promise<CallReply> => {
      if (!isTrusted(event)) {
        onRefused(`call ${name} from an unknown sender (${event.senderFrame?.url ?? 'no frame'})`);
        return { ok: false, error: 'refused: unknown sender' };
      }
      const reply = await dispatchAgentCall(api, name, arg);
      if (!reply.ok) onRefused(`call ${name}: ${reply.error}`);
      return reply;
    });
  }

  const subscriptions = new Map<number, Map<AgentTopic, Unsubscribe>>();

  const onSubscribe = (event: IpcEvent, topic: unknown): void => {
    if (!isTrusted(event)) {
      onRefused(`subscription from an unknown sender (${event.senderFrame?.url ?? 'no frame'})`);
      return;
    }
    if (!isAgentTopic(topic)) {
      onRefused(`subscription to an unknown topic (${typeof topic})`);
      return;
    }
    const sender = event.sender;
    let topics = subscriptions.get(sender.id);
    if (topics === undefined) {
      const created = new Map<AgentTopic, Unsubscribe>();
      topics = created;
      subscriptions.set(sender.id, created);
      sender.once('destroyed', () => {
        for (const stop of created.values()) stop();
        subscriptions.delete(sender.id);
      });
    }
    if (topics.has(topic)) return;
    topics.set(
      topic,
      subscribeAgentTopic(api, topic, (payload) => {
        if (!sender.isDestroyed()) sender.send(eventChannel(topic), payload);
      }),
    );
  };

  const onUnsubscribe = (event: IpcEvent, topic: unknown): void => {
    if (!isTrusted(event) || !isAgentTopic(topic)) return;
    const topics = subscriptions.get(event.sender.id);
    topics?.get(topic)?.();
    topics?.delete(topic);
  };

  ipcMain.on(IpcChannel.subscribe, onSubscribe);
  ipcMain.on(IpcChannel.unsubscribe, onUnsubscribe);

  return () => {
    for (const name of AGENT_CALLS) ipcMain.removeHandler(callChannel(name));
    ipcMain.removeListener(IpcChannel.subscribe, onSubscribe);
    ipcMain.removeListener(IpcChannel.unsubscribe, onUnsubscribe);
    for (const topics of subscriptions.values()) for (const stop of topics.values()) stop();
    subscriptions.clear();
  };
}

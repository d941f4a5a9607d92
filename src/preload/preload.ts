/**
 * The only bridge between the sandboxed renderer and the main process: `window.agentApi`, an
 * `AgentApi` over IPC. Nothing else of Electron or IPC is exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createAgentApiClient } from '../shared/agent-api-client.js';
import type { CallReply } from '../shared/agent-api-protocol.js';
import { callChannel, eventChannel, IpcChannel } from '../shared/ipc-channels.js';

const api = createAgentApiClient({
  call: (name, arg) => ipcRenderer.invoke(callChannel(name), arg) as Promise<CallReply>,
  subscribe(topic, listener) {
    const channel = eventChannel(topic);
    const onEvent = (_event: IpcRendererEvent, payload: unknown): void => {
      listener(payload);
    };
    ipcRenderer.on(channel, onEvent);
    ipcRenderer.send(IpcChannel.subscribe, topic);
    return () => {
      ipcRenderer.send(IpcChannel.unsubscribe, topic);
      ipcRenderer.off(channel, onEvent);
    };
  },
});

contextBridge.exposeInMainWorld('agentApi', api);

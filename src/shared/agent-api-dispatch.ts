/**
 * The receiving end of a transport: validates a call's argument and runs it on an `AgentApi`,
 * turning every outcome into a `CallReply`; maps a topic to its subscription.
 */
import type { AgentApi, Unsubscribe } from './agent-api.js';
import type { AgentCallArg, AgentCallName, AgentCallResult, AgentTopic, CallReply } from './agent-api-protocol.js';
import { validateCallArg } from './agent-api-validation.js';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Invokers = { readonly [N in AgentCallName]: (api: AgentApi, arg: AgentCallArg<N>) => Promise<AgentCallResult<N>> };

const invokers: Invokers = {
  getHostInfo: (api) => api.getHostInfo(),
  getSnapshot: (api) => api.getSnapshot(),
  getStreams: (api) => api.getStreams(),
  getLogs: (api, filter) => api.getLogs(filter),
  importConfig: (api, request) => api.importConfig(request),
  testAddress: (api, target) => api.testAddress(target),
  getAutostart: (api) => api.getAutostart(),
  setAutostart: (api, enabled) => api.setAutostart(enabled),
  openConfigFolder: (api) => api.openConfigFolder(),
  diagnose: (api) => api.diagnose(),
  saveSupportBundle: (api) => api.saveSupportBundle(),
  getAppSettings: (api) => api.getAppSettings(),
  setAppSettings: (api, settings) => api.setAppSettings(settings),
};

export async function dispatchAgentCall(api: AgentApi, name: AgentCallName, rawArg: unknown): Promise<CallReply> {
  const arg = validateCallArg(name, rawArg);
  if (!arg.ok) return { ok: false, error: arg.error };
  try {
    // The validator of `name` yielded exactly the argument type of the invoker of `name`.
    const invoke = invokers[name] as (api: AgentApi, arg: unknown) => Promise<unknown>;
    return { ok: true, value: await invoke(api, arg.value) };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

export function subscribeAgentTopic(
  api: AgentApi,
  topic: AgentTopic,
  listener: (payload: unknown) => void,
): Unsubscribe {
  switch (topic) {
    case 'snapshot':
      return api.onSnapshot(listener);
    case 'streams':
      return api.onStreams(listener);
    case 'logs':
      return api.onLog(listener);
  }
}

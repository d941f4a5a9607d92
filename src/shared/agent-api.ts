/**
 * The one declaration of the API every UI uses to reach the agent, whatever carries it: Electron
 * IPC (the preload's `window.agentApi`) or the loopback dashboard (HTTP + SSE). Isomorphic plain
 * data.
 *
 * `AGENT_API` names every call with the valibot schema of its argument (checked wherever the call
 * arrives, before it reaches the host) and the type it resolves to, and every subscription topic
 * with the method that subscribes to it. Everything else is derived from it: the `AgentApi` type,
 * the call and topic names (agent-api-protocol.ts), the IPC and HTTP dispatch
 * (agent-api-dispatch.ts), the client the preload and the dashboard page use
 * (agent-api-client.ts). Adding a call is one entry here and its implementation in the host.
 *
 * Results are declared, not checked: they come from our own host. Nothing here ever carries the
 * secret key: the UI sees the public part of the configuration only.
 */
import * as v from 'valibot';
import type { AgentSnapshot, ReconnectNowOutcome, StreamInfo, TrafficSample } from './agent-state.js';
import type {
  AddressTestResult,
  AppSettingsResult,
  AppSettingsState,
  AutostartState,
  ConfigChangesState,
  ConfigImportPreview,
  ConfigImportResult,
  HostInfo,
  OpenConfigFolderResult,
  SupportBundleResult,
} from './agent-api-results.js';
import {
  AppSettingsSchema,
  BooleanSchema,
  ConfigImportRequestSchema,
  LogFilterSchema,
  NO_ARGUMENT,
  TargetSchema,
} from './agent-api-arguments.js';
import type { DiagnoseReport } from './diagnose-report.js';
import type { LogRecord } from './log-record.js';

export type * from './agent-api-results.js';
export type { AppSettings, ConfigImportRequest, LogFilter } from './agent-api-arguments.js';

/** The type of a result or a pushed payload, as a schema that accepts anything: results are not checked. */
function declared<T>(): v.GenericSchema<T> {
  return v.custom<T>(() => true);
}

/** A call: the schema of its argument, and what it resolves to. */
function call<A extends v.GenericSchema, R extends v.GenericSchema>(argument: A, result: R) {
  return { argument, result } as const;
}

/** A subscription topic: the `AgentApi` method that subscribes, what each push carries, and whether the latest push is the whole state (replayed to a listener that joins later). */
function topic<M extends `on${string}`, P extends v.GenericSchema>(method: M, payload: P, stateful: boolean) {
  return { method, payload, stateful } as const;
}

export const AGENT_API = {
  calls: {
    /** Facts about the process hosting the agent, for the UI's labels. */
    getHostInfo: call(NO_ARGUMENT, declared<HostInfo>()),
    getSnapshot: call(NO_ARGUMENT, declared<AgentSnapshot>()),
    getStreams: call(NO_ARGUMENT, declared<readonly StreamInfo[]>()),
    getLogs: call(LogFilterSchema, declared<readonly LogRecord[]>()),
    /**
     * Validates a file (every problem at once), writes it owner-only with the previous one kept,
     * restarts the agent on it and resolves once the gateway has answered (or after a bound):
     * confirmed, or kept while the gateway cannot be reached, or — refused for good — rolled back
     * to the previous configuration. Identical content changes nothing.
     */
    importConfig: call(ConfigImportRequestSchema, declared<ConfigImportResult>()),
    /** What importing the file would change, without doing it (asked before an import that arrived from outside the window). */
    previewConfigImport: call(ConfigImportRequestSchema, declared<ConfigImportPreview>()),
    /** Goes back to the newest backup (the configuration in use becomes the newest backup), watched like an import. */
    restorePreviousConfig: call(NO_ARGUMENT, declared<ConfigImportResult>()),
    getConfigChanges: call(NO_ARGUMENT, declared<ConfigChangesState>()),
    /** Checks `host:port` through the allowlist and a TCP connect. */
    testAddress: call(TargetSchema, declared<AddressTestResult>()),
    getAutostart: call(NO_ARGUMENT, declared<AutostartState>()),
    setAutostart: call(BooleanSchema, declared<AutostartState>()),
    openConfigFolder: call(NO_ARGUMENT, declared<OpenConfigFolderResult>()),
    /** Runs the diagnostics (config, DNS, TCP, proxy, TLS, the key, the allowed databases) and reports each step. */
    diagnose: call(NO_ARGUMENT, declared<DiagnoseReport>()),
    /**
     * Writes a support bundle (diagnose report, configuration without the secret key, recent logs,
     * versions) owner-only to the host's folder for them, and says where. The UI never names the path.
     */
    saveSupportBundle: call(NO_ARGUMENT, declared<SupportBundleResult>()),
    getAppSettings: call(NO_ARGUMENT, declared<AppSettingsState>()),
    setAppSettings: call(AppSettingsSchema, declared<AppSettingsResult>()),
    /** "Reconnect now": ends the wait before the next connection attempt, so it starts at once. */
    reconnectNow: call(NO_ARGUMENT, declared<ReconnectNowOutcome>()),
    /** The traffic samples of the last minutes, oldest first (then `onTraffic` adds each new one). */
    getTraffic: call(NO_ARGUMENT, declared<readonly TrafficSample[]>()),
  },
  topics: {
    /** The current snapshot first, then every change. */
    snapshot: topic('onSnapshot', declared<AgentSnapshot>(), true),
    /** The full stream table, a few times a second at most, while it changes. */
    streams: topic('onStreams', declared<readonly StreamInfo[]>(), true),
    /** Batches of new records (unfiltered, oldest first). */
    logs: topic('onLog', declared<readonly LogRecord[]>(), false),
    /** Each new traffic sample (every few seconds, whether or not anything moved). */
    traffic: topic('onTraffic', declared<TrafficSample>(), false),
    /** The latest import or restore and what can be restored: the current state first, then every change. */
    configChanges: topic('onConfigChanges', declared<ConfigChangesState>(), true),
  },
} as const;

type Calls = typeof AGENT_API.calls;
type Topics = typeof AGENT_API.topics;

export type AgentCallName = keyof Calls;
export type AgentTopic = keyof Topics;
/** The argument of a call after its schema accepted it (`undefined` for calls without one). */
export type AgentCallArg<N extends AgentCallName> = v.InferOutput<Calls[N]['argument']>;
export type AgentCallResult<N extends AgentCallName> = v.InferOutput<Calls[N]['result']>;
export type AgentTopicPayload<T extends AgentTopic> = v.InferOutput<Topics[T]['payload']>;
export type AgentTopicMethod<T extends AgentTopic> = Topics[T]['method'];

export type Unsubscribe = () => void;

type CallMethod<N extends AgentCallName> = [AgentCallArg<N>] extends [undefined]
  ? () => Promise<AgentCallResult<N>>
  : (arg: AgentCallArg<N>) => Promise<AgentCallResult<N>>;

type SubscribeMethods = {
  readonly [T in AgentTopic as AgentTopicMethod<T>]: (listener: (payload: AgentTopicPayload<T>) => void) => Unsubscribe;
};

/** Calls return promises; subscriptions return an unsubscribe function. */
export type AgentApi = { readonly [N in AgentCallName]: CallMethod<N> } & SubscribeMethods;

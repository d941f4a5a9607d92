/**
 * The agent engine (PROTOCOL.md §1, §6, §7): `Agent` implements `AgentEngine` (engine.ts), the
 * one typed surface the CLI, the Electron main process and the dashboard consume.
 */
export type { AgentEngine, AgentEngineEvents, ReconnectNowOutcome, TestAddressResult } from './engine.js';
export { Agent, AGENT_MUX_DEFAULTS, type AgentOptions } from './agent.js';
export { AGENT_VERSION, AGENT_VERSION_TEXT } from './agent-version.js';
export { AgentStateMachine, canTransition, isFinalPhase } from './agent-state-machine.js';
export { DISABLED_RETRY_MS, ReconnectBackoff, formatDelay, type DelayPolicy } from './backoff.js';
export { systemClock, sleep, type Clock, type Timer } from './clock.js';
export { PingSchedule, type PingExpiry } from './ping-schedule.js';
export { systemResolver, formatSocketAddress, type Resolver, type ResolvedAddress } from './lookup.js';
export { isAddressAllowed } from './address-check.js';
export { connectTarget, TARGET_KEEPALIVE_IDLE_MS, type TargetSocket } from './target-connect.js';
export { serveDataStream, type DataStreamContext, type DataStreamOutcome } from './data-stream.js';
export { StreamTable, StreamEntry, DEFAULT_CLOSED_TAIL } from './stream-table.js';
export {
  proxyApplies,
  proxyFromEnvironment,
  noProxyList,
  parseProxyUrl,
  redactProxyUrl,
  proxyCredentialSpellings,
  NOT_A_URL,
  type ParsedProxy,
  type ProxySettings,
  type ProxySource,
} from './proxy-config.js';
export { runDiagnose, type DiagnoseConfig, type DiagnoseOptions } from './diagnose.js';
export {
  CONNECTION_CHECK_RESULTS,
  RECONNECT_CAUSES,
  STREAM_FAILURE_CODES,
  type EngineMetrics,
} from './agent-metrics.js';
export { isCertificateRefusal, type CertificateRefusal } from './certificate-refusal.js';

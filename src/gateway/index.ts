/**
 * The reference gateway (server side of the agent protocol, PROTOCOL.md §9): the `Gateway`
 * API, the agent registry and its file, routes, certificates, the gateway config file and the
 * loopback admin API.
 */
export {
  Gateway,
  isServedVersion,
  toAddress,
  type AcceptedEvent,
  type AgentInfo,
  type ConnectionClosedEvent,
  type GatewayEvents,
  type GatewayOptions,
  type GatewayTlsOptions,
  type OpenRouteOptions,
  type OpenStreamOptions,
  type RejectedEvent,
  type RouteHandle,
  type SwitchResult,
  type TestResult,
} from './gateway.js';
export type { ConnectionInfo, ConnectionPhase, RejectionReason, GatewayStreamInfo } from './agent-connection.js';
export {
  AgentRegistry,
  checkAgentId,
  type AgentEntry,
  type AgentRegistryStatus,
  type RegistryChange,
} from './agent-registry.js';
export {
  RegistryFileWatcher,
  formatRegistryToml,
  loadRegistryFile,
  parseRegistryToml,
  saveRegistryFile,
} from './registry-file.js';
export {
  GatewayError,
  StreamOpenError,
  isGatewayError,
  type GatewayErrorCode,
  type StreamOpenOutcome,
} from './errors.js';
export type { GatewayFaults } from './faults.js';
export type { ListenAddress, RouteInfo, RouteOptions } from './route.js';
export { relay, type RelayResult } from './relay.js';
export {
  generateCertificateAuthority,
  generateSelfSignedServerCertificate,
  issueServerCertificate,
  type CertificateAndKey,
  type CertificateAuthority,
  type CertificateOptions,
} from './certificates.js';

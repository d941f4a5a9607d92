/** Configuration: `cluvio-agent.toml`, environment overrides, search order, allowlist (PROTOCOL.md §7.6, §8). */
export {
  checkAgentConfig,
  parseAgentConfig,
  parseConfigToml,
  toPublicConfig,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_PING_FREQUENCY,
  DEFAULT_PORT,
  type AgentConfig,
  type ConfigCheck,
  type ParseConfigOptions,
  type ServerConfig,
} from './agent-config.js';
export { Allowlist, DEFAULT_ALLOWED_ADDRESSES, parseAllowlistEntry, type AllowlistEntry } from './allowlist.js';
export { entriesBeyond } from './allowlist-cover.js';
export {
  CONFIG_NOT_FOUND_MESSAGE,
  ConfigError,
  formatConfigProblem,
  issueProblem,
  type ConfigErrorReason,
} from './config-error.js';
export { DOWNLOAD_AGAIN, issueLine, type ConfigIssue } from './config-issue.js';
export { checkHostName, isDnsName, type HostNameProblem } from './dns-name.js';
export { dnsPatternMatches, parseDnsPattern, type DnsPattern } from './dns-pattern.js';
export {
  serverEnvOverrides,
  type Environment,
  type ServerEnvOverride,
  type ServerOverrideKey,
} from './env-overrides.js';
export { durationToMs, HumantimeError, parseHumantimeDuration, type HumanDuration } from './humantime.js';
export { ipAddressFromBytes, parseIpAddress, type IpAddress, type IpDialect, type IpFamily } from './ip-address.js';
export { networkContains, parseIpNetwork, type IpNetwork } from './ip-network.js';
export {
  configNotFound,
  loadConfig,
  locateConfigFile,
  readConfigFile,
  type ConfigSource,
  type LoadConfigOptions,
  type LoadedConfig,
  type LocatedConfigFile,
} from './load-config.js';
export { parseTrustPem, TrustPemError } from './pem-certificates.js';
export {
  CONFIG_FILE_NAME,
  configSearchOrder,
  type ConfigCandidate,
  type ConfigSearchContext,
  type ConfigSearchRule,
} from './search-order.js';

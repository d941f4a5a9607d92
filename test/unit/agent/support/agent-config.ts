/** Agent configurations for tests, built through the real config parser. */
import { SecretKey } from '../../../../src/tunnel/auth/secret-key.js';
import { parseAgentConfig, type AgentConfig } from '../../../../src/tunnel/config/agent-config.js';

export interface TestConfigOptions {
  readonly host?: string;
  readonly port: number;
  readonly trustPem?: string;
  readonly secretKey?: SecretKey;
  readonly allowed?: readonly string[];
  readonly connectTimeout?: string;
  readonly pingFrequency?: string;
}

/** The TOML text of a config (also what the CLI tests write to disk). */
export function configToml(options: TestConfigOptions): string {
  const key = (options.secretKey ?? SecretKey.generate()).exportBase64url();
  const lines = [`secret-key = "${key}"`];
  if (options.connectTimeout !== undefined) lines.push(`connect-timeout = "${options.connectTimeout}"`);
  if (options.pingFrequency !== undefined) lines.push(`ping-frequency = "${options.pingFrequency}"`);
  if (options.allowed !== undefined) lines.push(`allowed-addresses = [${options.allowed.map((a) => JSON.stringify(a)).join(', ')}]`);
  lines.push('[server]', `host = "${options.host ?? 'localhost'}"`, `port = ${options.port}`);
  if (options.trustPem !== undefined) lines.push(`trust = """\n${options.trustPem.trim()}\n"""`);
  return `${lines.join('\n')}\n`;
}

export function testConfig(options: TestConfigOptions): AgentConfig {
  return parseAgentConfig(configToml(options), { file: null, env: {} });
}

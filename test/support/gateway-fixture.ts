/**
 * A gateway for tests: a fresh private CA, a server certificate for `localhost` issued by it, an
 * in-memory registry, a `Gateway` on 127.0.0.1 (any free port), and the gateway's log records
 * kept for assertions. `agentConfigToml` writes a `cluvio-agent.toml` that reaches this gateway
 * (host `localhost`, the CA as `[server] trust`), for the reference agent or ours.
 */
import { generateKeyPair, type KeyPair } from '../../src/tunnel/auth/index.js';
import { LogHub } from '../../src/tunnel/log/index.js';
import type { LogRecord } from '../../src/shared/log-record.js';
import { AgentRegistry, type AgentRegistryStatus } from '../../src/gateway/agent-registry.js';
import {
  generateCertificateAuthority,
  issueServerCertificate,
  type CertificateAuthority,
} from '../../src/gateway/certificates.js';
import { Gateway, type GatewayEvents, type GatewayOptions } from '../../src/gateway/gateway.js';

/** The DNS name agents use; the certificate names it and /etc/hosts maps it to 127.0.0.1. */
export const GATEWAY_HOST = 'localhost';

export interface AgentConfigOptions {
  /** `allowed-addresses` (default: the reference default, everything). */
  readonly allowedAddresses?: readonly string[];
  /** `ping-frequency`, humantime text, e.g. `1s`. */
  readonly pingFrequency?: string;
  /** `connect-timeout`, humantime text. */
  readonly connectTimeout?: string;
  /** Override `[server] port` (default: this gateway's). */
  readonly port?: number;
  /** Override `[server] trust` (default: this gateway's CA). */
  readonly trustPem?: string;
}

export interface GatewayFixture {
  readonly gateway: Gateway;
  readonly registry: AgentRegistry;
  readonly ca: CertificateAuthority;
  readonly host: string;
  readonly port: number;
  /** Every record the gateway logged (all levels). */
  readonly logs: LogRecord[];
  /** A fresh key pair, registered under `name` with `status` (default enabled). */
  addAgent(name?: string, status?: AgentRegistryStatus): KeyPair;
  /** A `cluvio-agent.toml` for `keyPair` pointing at this gateway. */
  agentConfigToml(keyPair: KeyPair, options?: AgentConfigOptions): string;
  close(): Promise<void>;
}

export type FixtureOptions = Partial<Omit<GatewayOptions, 'tls' | 'agents' | 'log'>>;

let agentCounter = 0;

export async function startGatewayFixture(options: FixtureOptions = {}): Promise<GatewayFixture> {
  const ca = await generateCertificateAuthority('Gateway test CA');
  const leaf = await issueServerCertificate(ca, [GATEWAY_HOST]);
  const registry = new AgentRegistry();
  const log = new LogHub();
  const logs: LogRecord[] = [];
  log.subscribe((record) => logs.push(record));
  const gateway = await Gateway.start({
    listen: { host: '127.0.0.1', port: 0 },
    ...options,
    tls: { certPem: leaf.certPem, keyPem: leaf.keyPem },
    agents: registry,
    log,
  });
  return {
    gateway,
    registry,
    ca,
    host: GATEWAY_HOST,
    port: gateway.port,
    logs,
    addAgent(name = `agent-${++agentCounter}`, status: AgentRegistryStatus = 'enabled') {
      const keyPair = generateKeyPair();
      registry.set({ id: keyPair.agentId, name, status });
      return keyPair;
    },
    agentConfigToml(keyPair, config = {}) {
      return agentConfigToml({
        secretKey: keyPair.secretKey.exportBase64url(),
        host: GATEWAY_HOST,
        port: config.port ?? gateway.port,
        trustPem: config.trustPem ?? ca.certPem,
        ...(config.allowedAddresses === undefined ? {} : { allowedAddresses: config.allowedAddresses }),
        ...(config.pingFrequency === undefined ? {} : { pingFrequency: config.pingFrequency }),
        ...(config.connectTimeout === undefined ? {} : { connectTimeout: config.connectTimeout }),
      });
    },
    close: () => gateway.close(),
  };
}

/**
 * A fixture whose gateway sends no Pings of its own (tests drive pings and clocks themselves),
 * closed by `cleanups` after the test.
 */
export async function quietGatewayFixture(
  cleanups: (() => Promise<unknown>)[],
  options: FixtureOptions = {},
): Promise<GatewayFixture> {
  const fixture = await startGatewayFixture({ pingIntervalMs: 0, ...options });
  cleanups.push(() => fixture.close());
  return fixture;
}

export interface AgentConfigText {
  readonly secretKey: string;
  readonly host: string;
  readonly port: number;
  readonly trustPem: string;
  readonly allowedAddresses?: readonly string[];
  readonly pingFrequency?: string;
  readonly connectTimeout?: string;
}

export function agentConfigToml(config: AgentConfigText): string {
  const lines = [`secret-key = ${JSON.stringify(config.secretKey)}`];
  if (config.allowedAddresses !== undefined)
    lines.push(`allowed-addresses = [${config.allowedAddresses.map((a) => JSON.stringify(a)).join(', ')}]`);
  if (config.pingFrequency !== undefined) lines.push(`ping-frequency = ${JSON.stringify(config.pingFrequency)}`);
  if (config.connectTimeout !== undefined) lines.push(`connect-timeout = ${JSON.stringify(config.connectTimeout)}`);
  lines.push(
    '',
    '[server]',
    `host = ${JSON.stringify(config.host)}`,
    `port = ${config.port}`,
    `trust = '''\n${config.trustPem.trim()}\n'''`,
    '',
  );
  return lines.join('\n');
}

/** Polls `condition` until it holds; rejects with `what` after `timeoutMs`. Never asserts timing. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The next gateway event of `name` for which `matches` holds. */
export function nextGatewayEvent<E extends keyof GatewayEvents>(
  gateway: Gateway,
  name: E,
  matches: (...args: GatewayEvents[E]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<GatewayEvents[E][0]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: GatewayEvents[E]): void => {
      if (!matches(...args)) return;
      clearTimeout(timer);
      gateway.off(name, listener as never);
      resolve(args[0]);
    };
    const timer = setTimeout(() => {
      gateway.off(name, listener as never);
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    gateway.on(name, listener as never);
  });
}

/**
 * The gateway config file (`gateway.toml`), read by `cluvio-gateway serve`:
 *
 *     listen = "0.0.0.0:8443"           # where agents connect (default 0.0.0.0:443)
 *     certificate = "server.crt"        # PEM certificate chain; paths are relative to this file
 *     key = "server.key"                # PEM private key
 *     # self-signed = ["localhost"]     # instead: a generated CA:FALSE certificate for these names,
 *     #                                 # kept in self-signed.crt/.key next to this file
 *     agents = "agents.toml"            # the registry file (reloaded on change and on SIGHUP)
 *     admin = "127.0.0.1:8444"          # loopback admin API (default 127.0.0.1, any free port)
 *     ping-interval = "30s"             # Server::Ping interval ("0s" = off)
 *     pong-timeout = "30s"
 *     handshake-timeout = "30s"
 *
 *     [[route]]
 *     listen = "127.0.0.1:5433"
 *     agent = "warehouse"               # agent id or registry name
 *     target = "db.internal:5432"
 *     half-close = false
 *
 * Unknown keys are errors (a typo must not silently change a security setting).
 */
import path from 'node:path';
import { parse as parseToml } from '@iarna/toml';
import { type Address, parseAddress } from '../tunnel/codec/index.js';
import { durationToMs, parseHumantimeDuration } from '../tunnel/config/index.js';
import type { ListenAddress } from './route.js';
import { GatewayFileError, type TomlTable, isTomlTable } from './toml-text.js';
import { isLoopbackHost } from '../tunnel/net/index.js';

export interface RouteConfig {
  readonly listen: ListenAddress;
  readonly agent: string;
  readonly target: Address;
  readonly halfClose: boolean;
}

export type TlsSource =
  | { readonly kind: 'files'; readonly certificatePath: string; readonly keyPath: string }
  | { readonly kind: 'self-signed'; readonly hosts: readonly string[] };

export interface GatewayConfig {
  readonly path: string;
  readonly listen: Required<ListenAddress>;
  readonly tls: TlsSource;
  readonly agentsPath: string;
  readonly admin: Required<ListenAddress>;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly routes: readonly RouteConfig[];
}

const TOP_KEYS = new Set([
  'listen',
  'certificate',
  'key',
  'self-signed',
  'agents',
  'admin',
  'ping-interval',
  'pong-timeout',
  'handshake-timeout',
  'route',
]);
const ROUTE_KEYS = new Set(['listen', 'agent', 'target', 'half-close']);

/** `host:port` or `[v6]:port` → host and port (port 0 = any free port). */
export function parseListenAddress(text: string): Required<ListenAddress> | string {
  const parsed = parseAddress(text);
  if (!parsed.ok) return parsed.error;
  const address = parsed.address;
  return { host: address.kind === 'name' ? address.name : address.ip, port: address.port };
}

export function parseGatewayConfig(text: string, file: string): GatewayConfig {
  let document: unknown;
  try {
    document = parseToml(text);
  } catch (error) {
    throw new GatewayFileError(file, null, `not valid TOML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isTomlTable(document)) throw new GatewayFileError(file, null, 'expected a TOML document');
  const dir = path.dirname(path.resolve(file));
  const reader = new TableReader(file, document, '');
  reader.onlyKeys(TOP_KEYS);

  const certificate = reader.optionalString('certificate');
  const key = reader.optionalString('key');
  const selfSigned = reader.optionalStringList('self-signed');
  let tls: TlsSource;
  if (selfSigned !== undefined) {
    if (certificate !== undefined || key !== undefined)
      throw new GatewayFileError(file, 'self-signed', 'give either certificate + key, or self-signed, not both');
    if (selfSigned.length === 0)
      throw new GatewayFileError(
        file,
        'self-signed',
        'list the DNS names agents use, e.g. self-signed = ["localhost"]',
      );
    tls = { kind: 'self-signed', hosts: selfSigned };
  } else {
    if (certificate === undefined || key === undefined) {
      throw new GatewayFileError(
        file,
        certificate === undefined ? 'certificate' : 'key',
        'give certificate = "<PEM file>" and key = "<PEM file>", or self-signed = ["<host name>"]',
      );
    }
    tls = { kind: 'files', certificatePath: path.resolve(dir, certificate), keyPath: path.resolve(dir, key) };
  }

  const agents = reader.optionalString('agents');
  if (agents === undefined)
    throw new GatewayFileError(file, 'agents', 'give the agents file, e.g. agents = "agents.toml"');

  const admin = reader.listen('admin', { host: '127.0.0.1', port: 0 });
  if (!isLoopbackHost(admin.host))
    throw new GatewayFileError(
      file,
      'admin',
      `the admin API listens on loopback only (127.0.0.1, ::1 or localhost), not ${admin.host}`,
    );

  const routes = reader.optionalTableList('route').map((table, index) => {
    const routeReader = new TableReader(file, table, `[[route]] #${index + 1} `);
    routeReader.onlyKeys(ROUTE_KEYS);
    const agent = routeReader.optionalString('agent');
    if (agent === undefined)
      throw new GatewayFileError(file, `[[route]] #${index + 1} agent`, 'give the agent id or name');
    const targetText = routeReader.optionalString('target');
    if (targetText === undefined)
      throw new GatewayFileError(
        file,
        `[[route]] #${index + 1} target`,
        'give the target, e.g. target = "db.internal:5432"',
      );
    const target = parseAddress(targetText);
    if (!target.ok) throw new GatewayFileError(file, `[[route]] #${index + 1} target`, target.error);
    return {
      listen: routeReader.listen('listen', { host: '127.0.0.1', port: 0 }),
      agent,
      target: target.address,
      halfClose: routeReader.optionalBoolean('half-close') ?? false,
    };
  });

  return {
    path: path.resolve(file),
    listen: reader.listen('listen', { host: '0.0.0.0', port: 443 }),
    tls,
    agentsPath: path.resolve(dir, agents),
    admin,
    pingIntervalMs: reader.duration('ping-interval', 30_000),
    pongTimeoutMs: reader.duration('pong-timeout', 30_000),
    handshakeTimeoutMs: reader.duration('handshake-timeout', 30_000),
    routes,
  };
}

class TableReader {
  constructor(
    private readonly file: string,
    private readonly table: TomlTable,
    private readonly prefix: string,
  ) {}

  onlyKeys(allowed: ReadonlySet<string>): void {
    for (const key of Object.keys(this.table)) {
      if (!allowed.has(key)) throw this.fail(key, `unknown key (known: ${[...allowed].join(', ')})`);
    }
  }

  optionalString(key: string): string | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.fail(key, 'expected a string');
    return value;
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.fail(key, 'expected true or false');
    return value;
  }

  optionalStringList(key: string): string[] | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string'))
      throw this.fail(key, 'expected a list of strings');
    return value;
  }

  optionalTableList(key: string): TomlTable[] {
    const value = this.table[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every(isTomlTable)) throw this.fail(key, `expected [[${key}]] tables`);
    return value;
  }

  listen(key: string, fallback: Required<ListenAddress>): Required<ListenAddress> {
    const text = this.optionalString(key);
    if (text === undefined) return fallback;
    const parsed = parseListenAddress(text);
    if (typeof parsed === 'string') throw this.fail(key, `${parsed} (expected host:port, e.g. 127.0.0.1:5433)`);
    return parsed;
  }

  duration(key: string, fallbackMs: number): number {
    const text = this.optionalString(key);
    if (text === undefined) return fallbackMs;
    try {
      return Math.round(durationToMs(parseHumantimeDuration(text)));
    } catch (error) {
      throw this.fail(key, `invalid duration: ${error instanceof Error ? error.message : String(error)} (e.g. "30s")`);
    }
  }

  fail(key: string, message: string): GatewayFileError {
    return new GatewayFileError(this.file, `${this.prefix}${key}`, message);
  }
}

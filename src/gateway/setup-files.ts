/**
 * `cluvio-gateway init`: everything a self-hosted gateway and its first agent need, in one
 * directory — a private CA, a server certificate for the gateway's host name issued by it, an
 * agents file registering a fresh agent key pair, a `gateway.toml`, and a ready
 * `cluvio-agent.toml` whose `[server] trust` holds the CA. Private keys and the agent config
 * (which holds the agent's secret key) are created owner-only (0600) from their first byte.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair } from '../tunnel/auth/index.js';
import { checkHostName } from '../tunnel/config/index.js';
import { generateCertificateAuthority, issueServerCertificate } from './certificates.js';
import { formatRegistryToml } from './registry-file.js';
import { tomlMultilineLiteral, tomlString } from './toml-text.js';

export interface GatewaySetupOptions {
  /** The DNS name agents use to reach the gateway (certificate name and `[server] host`). */
  readonly host: string;
  readonly dir: string;
  /** Port the gateway listens on and agents connect to (default 8443). */
  readonly port?: number;
  /** Registry name of the generated agent (default `agent`). */
  readonly agentName?: string;
  /** Overwrite existing files. */
  readonly force?: boolean;
}

export interface GatewaySetup {
  readonly dir: string;
  readonly agentId: string;
  readonly files: {
    readonly caCertificate: string;
    readonly caKey: string;
    readonly certificate: string;
    readonly key: string;
    readonly agents: string;
    readonly gatewayConfig: string;
    readonly agentConfig: string;
  };
}

export const DEFAULT_GATEWAY_PORT = 8443;

export async function writeGatewaySetup(options: GatewaySetupOptions): Promise<GatewaySetup> {
  const problem = checkHostName(options.host);
  if (problem !== null) {
    const why =
      problem === 'ip-literal' ? 'the reference agent refuses IP addresses as [server] host' : 'not a valid DNS name';
    throw new RangeError(`host "${options.host}" must be a DNS name agents can use (${why})`);
  }
  const port = options.port ?? DEFAULT_GATEWAY_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new RangeError(`port must be from 1 to 65535, got ${port}`);
  const dir = path.resolve(options.dir);
  const files = {
    caCertificate: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    certificate: path.join(dir, 'server.crt'),
    key: path.join(dir, 'server.key'),
    agents: path.join(dir, 'agents.toml'),
    gatewayConfig: path.join(dir, 'gateway.toml'),
    agentConfig: path.join(dir, 'cluvio-agent.toml'),
  };
  await mkdir(dir, { recursive: true });
  if (options.force !== true) {
    for (const file of Object.values(files)) {
      if (await exists(file)) throw new Error(`${file} exists; pass --force to overwrite`);
    }
  }

  const ca = await generateCertificateAuthority(`cluvio-gateway CA for ${options.host}`);
  const leaf = await issueServerCertificate(ca, [options.host]);
  const agent = generateKeyPair();
  const agentName = options.agentName ?? 'agent';

  const gatewayToml = [
    '# cluvio-gateway configuration (written by `cluvio-gateway init`). Paths are relative to this file.',
    `listen = ${tomlString(`0.0.0.0:${port}`)}`,
    'certificate = "server.crt"',
    'key = "server.key"',
    'agents = "agents.toml"',
    '# The operator API (loopback only); `serve` writes its URL and token to gateway.admin.json.',
    'admin = "127.0.0.1:0"',
    'ping-interval = "30s"',
    '',
    '# Routes: a local port relayed through an agent to a target it can reach, e.g.',
    '# [[route]]',
    '# listen = "127.0.0.1:5433"',
    `# agent = ${tomlString(agentName)}`,
    '# target = "127.0.0.1:5432"',
    '# half-close = false',
    '',
  ].join('\n');

  const agentToml = [
    '# cluvio-agent configuration (written by `cluvio-gateway init`). Keep it secret: it holds the agent key.',
    `secret-key = ${tomlString(agent.secretKey.exportBase64url())}`,
    '# Only these targets may be reached through this agent (default: everything), e.g.',
    '# allowed-addresses = ["127.0.0.1/32", "db.internal"]',
    '',
    '[server]',
    `host = ${tomlString(options.host)}`,
    `port = ${port}`,
    `trust = ${tomlMultilineLiteral(ca.certPem.trim())}`,
    '',
  ].join('\n');

  // Overwritten files are removed first so that each is created afresh with its mode.
  if (options.force === true) await Promise.all(Object.values(files).map((file) => rm(file, { force: true })));
  const flag = 'wx';
  await writeFile(files.caCertificate, ca.certPem, { mode: 0o644, flag });
  await writeFile(files.caKey, ca.keyPem, { mode: 0o600, flag });
  await writeFile(files.certificate, `${leaf.certPem.trim()}\n`, { mode: 0o644, flag });
  await writeFile(files.key, leaf.keyPem, { mode: 0o600, flag });
  await writeFile(files.agents, formatRegistryToml([{ id: agent.agentId, name: agentName, status: 'enabled' }]), {
    mode: 0o644,
    flag,
  });
  await writeFile(files.gatewayConfig, gatewayToml, { mode: 0o644, flag });
  await writeFile(files.agentConfig, agentToml, { mode: 0o600, flag });
  return { dir, agentId: agent.agentId, files };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

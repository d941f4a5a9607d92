/**
 * A gateway as `cluvio-gateway serve` runs it, from a parsed `gateway.toml`: the registry
 * loaded from (and kept in step with) the agents file, the TLS certificate from files or a
 * self-signed pair kept next to the config, the configured routes, and the loopback admin API
 * whose URL and token are written owner-only next to the config.
 */
import { X509Certificate } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LogHub } from '../tunnel/log/index.js';
import { adminFilePath, writeAdminFile } from './admin-client.js';
import { type AdminServer, startAdminServer } from './admin-server.js';
import { AgentRegistry } from './agent-registry.js';
import { generateSelfSignedServerCertificate } from './certificates.js';
import { Gateway, type GatewayTlsOptions } from './gateway.js';
import type { GatewayConfig, TlsSource } from './gateway-config.js';
import { RegistryFileWatcher } from './registry-file.js';
import { GatewayFileError } from './toml-text.js';

export interface GatewayService {
  readonly gateway: Gateway;
  readonly admin: AdminServer;
  readonly adminFile: string;
  /** Re-reads the agents file (SIGHUP). */
  reloadAgents(): Promise<void>;
  /** Closes the admin API, the gateway and the watcher; removes the admin file. */
  close(): Promise<void>;
}

export async function startGatewayService(config: GatewayConfig, log: LogHub): Promise<GatewayService> {
  const logger = log.logger('cluvio_gateway::service');
  const registry = new AgentRegistry();
  const watcher = new RegistryFileWatcher({
    file: config.agentsPath,
    registry,
    log: log.logger('cluvio_gateway::registry'),
  });
  await watcher.start();
  logger.info('agents loaded', { file: config.agentsPath, agents: registry.list().length });
  const tls = await loadTls(config.tls, path.dirname(config.path), log);
  const cleanups: (() => Promise<void>)[] = [
    () => {
      watcher.close();
      return Promise.resolve();
    },
  ];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const gateway = await Gateway.start({
      listen: config.listen,
      tls,
      agents: registry,
      log,
      pingIntervalMs: config.pingIntervalMs,
      pongTimeoutMs: config.pongTimeoutMs,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
    });
    cleanups.push(() => gateway.close());
    for (const route of config.routes) {
      await gateway.openRoute({
        agentId: route.agent,
        target: route.target,
        halfClose: route.halfClose,
        listen: route.listen,
      });
    }
    const admin = await startAdminServer({
      gateway,
      listen: config.admin,
      log: log.logger('cluvio_gateway::admin'),
      onRegistryChanged: () => watcher.save(),
    });
    cleanups.push(() => admin.close());
    const adminFile = adminFilePath(config.path);
    await writeAdminFile(adminFile, { url: admin.url, token: admin.token });
    cleanups.push(() => rm(adminFile, { force: true }));
    let closing: Promise<void> | null = null;
    return {
      gateway,
      admin,
      adminFile,
      reloadAgents: () => watcher.reload(),
      close: () => (closing ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

async function loadTls(source: TlsSource, dir: string, log: LogHub): Promise<GatewayTlsOptions> {
  if (source.kind === 'files') {
    const read = async (file: string, what: string): Promise<string> => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        throw new GatewayFileError(
          file,
          null,
          `cannot read the ${what}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    };
    return {
      certPem: await read(source.certificatePath, 'certificate'),
      keyPem: await read(source.keyPath, 'private key'),
    };
  }
  // Self-signed: kept beside the config so that agents trusting it keep working across restarts.
  const certFile = path.join(dir, 'self-signed.crt');
  const keyFile = path.join(dir, 'self-signed.key');
  const logger = log.logger('cluvio_gateway::service');
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const certificate = new X509Certificate(certPem);
    if (source.hosts.every((host) => certificate.checkHost(host) !== undefined)) return { certPem, keyPem };
    logger.info('self-signed certificate does not name every host; generating a new one', { file: certFile });
  } catch {
    // None yet (or unreadable): generate below.
  }
  const generated = await generateSelfSignedServerCertificate(source.hosts);
  await rm(keyFile, { force: true });
  await writeFile(keyFile, generated.keyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(certFile, generated.certPem, { mode: 0o644 });
  logger.info("generated a self-signed certificate; put it into the agents' [server] trust", {
    file: certFile,
    hosts: source.hosts.join(','),
  });
  return generated;
}

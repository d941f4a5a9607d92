/**
 * `cluvio-gateway serve`: runs the gateway described by a config file until SIGINT or SIGTERM,
 * then shuts down cleanly (routes, agent connections with GoAway, the admin API and its file);
 * SIGHUP re-reads the agents file.
 */
import { readFile } from 'node:fs/promises';
import { parseGatewayConfig } from '../gateway/gateway-config.js';
import { startGatewayService } from '../gateway/gateway-service.js';
import { GatewayFileError } from '../gateway/toml-text.js';
import type { LogHub } from '../tunnel/log/index.js';

export type ShutdownSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** Where signals arrive; `process` in the CLI. */
export interface ShutdownSignals {
  on(signal: ShutdownSignal, listener: () => void): unknown;
  off(signal: ShutdownSignal, listener: () => void): unknown;
}

/** Resolves to the exit status once the gateway has shut down after a signal. */
export async function serveGateway(configPath: string, log: LogHub, signals: ShutdownSignals): Promise<number> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    throw new GatewayFileError(
      configPath,
      null,
      `cannot read the gateway config: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const config = parseGatewayConfig(text, configPath);
  const service = await startGatewayService(config, log);
  const logger = log.logger('cluvio_gateway::service');
  logger.info('gateway running', { config: config.path, agents_port: service.gateway.port, admin: service.admin.url });

  let stop: (signal: ShutdownSignal) => void = () => undefined;
  const stopped = new Promise<ShutdownSignal>((resolve) => {
    stop = resolve;
  });
  const onInterrupt = (): void => {
    stop('SIGINT');
  };
  const onTerminate = (): void => {
    stop('SIGTERM');
  };
  const onHangUp = (): void => {
    logger.info('SIGHUP: reloading the agents file');
    void service.reloadAgents();
  };
  signals.on('SIGINT', onInterrupt);
  signals.on('SIGTERM', onTerminate);
  signals.on('SIGHUP', onHangUp);
  const signal = await stopped;
  signals.off('SIGINT', onInterrupt);
  signals.off('SIGTERM', onTerminate);
  signals.off('SIGHUP', onHangUp);
  logger.info('shutting down', { signal });
  await service.close();
  logger.info('gateway stopped');
  return 0;
}

/**
 * The one place where the CLI hands a validated configuration to the tunnel engine, and what the
 * process does with the outcome:
 *
 * - SIGINT / SIGTERM → `stop()` (streams closed, GoAway(0), sockets and timers gone) → exit 0.
 *   A second signal gets Node's default behaviour, so an impatient Ctrl-C still ends the process.
 * - a permanent `Terminate` → `agent was terminated by gateway: <reason text>` on stderr, exit 1,
 *   as the reference does.
 * - an unusable `[server] trust` certificate → `agent: tls error: …`, exit 1.
 *
 * Beyond the reference: the proxy (`--proxy`, HTTPS_PROXY) is handed to the engine and logged
 * (redacted); `--metrics-address` starts the health and metrics endpoint (`metrics: <url>` on
 * stderr; a port in use ends the run with exit 1); and a clock jump (the machine slept) or a
 * network change makes the engine check its connection at once (connection-recovery.ts).
 */
import type { ConfigFailure } from '../host/config-binding.js';
import { startConnectionRecovery } from '../host/connection-recovery.js';
import { startMetricsServer, type MetricsServer } from '../host/metrics-server.js';
import { Agent, proxyApplies, type ProxySettings } from '../tunnel/agent/index.js';
import type { AgentConfig, LocatedConfigFile } from '../tunnel/config/index.js';
import type { LogHub, LogFields, TextStream } from '../tunnel/log/index.js';
import type { DashboardAddress } from './dashboard-address.js';
import { packageVersion } from './package-version.js';

export interface AgentRunContext {
  readonly config: AgentConfig;
  readonly configFile: LocatedConfigFile;
  /** Where the engine creates its loggers (`log.logger('cluvio_agent').child('agent')`); sinks are attached. */
  readonly log: LogHub;
  readonly stderr: TextStream;
  /** Where SIGINT / SIGTERM arrive (default: the process). */
  readonly signals?: SignalSource;
  /** `--metrics-address`, or null. */
  readonly metrics?: DashboardAddress | null;
  /** The HTTP proxy for the gateway connection, or null. */
  readonly proxy?: ProxySettings | null;
}

/** The part of `process` that delivers signals. */
export interface SignalSource {
  once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** Exit status after a stop by signal. */
export const STOPPED_EXIT_CODE = 0;
/** Exit status after a permanent Terminate or a startup failure (the reference's `exit`). */
export const FAILURE_EXIT_CODE = 1;

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * A configuration that cannot be used, as the reference reports it: `config: …`, or where the
 * search looked. The first line is the reference's (its first error); every further problem of
 * the file follows on a `config:` line of its own, so one run shows them all.
 */
export function reportConfigError(stderr: TextStream, error: ConfigFailure): void {
  if (error.reason === 'not-found' && error.searched.length > 0) {
    const tried = error.searched.map((candidate) => `  ${candidate.path} (${candidate.rule})`).join('\n');
    stderr.write(`${error.message}\nlooked for:\n${tried}\n`);
  } else {
    const [, ...more] = error.lines;
    stderr.write(
      [
        ...[error.message, ...more].map((line) => `config: ${line}\n`),
        // After the errors (the first line stays the reference's): a misspelt key may be their cause.
        ...error.warningLines.map((line) => `config: warning: ${line}\n`),
      ].join(''),
    );
  }
}

/** The log line saying which proxy is used (never its credentials), or that no_proxy exempts the gateway. */
export function proxyChoiceRecord(
  proxy: ProxySettings | null,
  host: string,
): { readonly message: string; readonly fields: LogFields } | null {
  if (proxy === null) return null;
  if (proxyApplies(proxy, host))
    return { message: 'using proxy', fields: { proxy: proxy.display, source: proxy.source } };
  return { message: 'not using proxy for this server (no_proxy)', fields: { proxy: proxy.display, server: host } };
}

/** Starts the metrics endpoint if asked to; prints its URL, or why it could not listen (then null). */
export async function startMetricsOption(
  address: DashboardAddress | null | undefined,
  source: Parameters<typeof startMetricsServer>[0]['source'],
  stderr: TextStream,
): Promise<MetricsServer | null | 'failed'> {
  if (address === null || address === undefined) return null;
  try {
    const server = await startMetricsServer({ source, host: address.host, port: address.port });
    stderr.write(`metrics: ${server.url}/metrics\n`);
    return server;
  } catch (error) {
    stderr.write(
      `metrics: cannot listen on ${address.host}:${address.port}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 'failed';
  }
}

/** Runs the agent until it ends; resolves to the process exit status. */
export async function runAgent(context: AgentRunContext): Promise<number> {
  let agent: Agent;
  try {
    agent = new Agent({
      config: context.config,
      log: context.log,
      version: packageVersion(),
      proxy: context.proxy ?? null,
    });
  } catch (error) {
    context.stderr.write(`agent: tls error: ${error instanceof Error ? error.message : String(error)}\n`);
    return FAILURE_EXIT_CODE;
  }

  const signals = context.signals ?? process;
  const log = context.log.logger('cluvio_agent');
  const proxyChoice = proxyChoiceRecord(context.proxy ?? null, context.config.server.host);
  if (proxyChoice !== null) log.info(proxyChoice.message, proxyChoice.fields);
  const metrics = await startMetricsOption(context.metrics, agent, context.stderr);
  if (metrics === 'failed') return FAILURE_EXIT_CODE;
  const onSignal = (name: string) => (): void => {
    log.info('shutting down', { signal: name });
    void agent.stop();
  };
  const listeners = SHUTDOWN_SIGNALS.map((name) => [name, onSignal(name)] as const);
  for (const [name, listener] of listeners) signals.once(name, listener);

  const stopRecovery = startConnectionRecovery({ target: agent, clockJumpThresholdMs: context.config.pingFrequencyMs });
  try {
    agent.start();
    const final = await agent.done;
    if (final.phase === 'terminated') {
      context.stderr.write(`agent was terminated by gateway: ${final.message}\n`);
      return FAILURE_EXIT_CODE;
    }
    return STOPPED_EXIT_CODE;
  } finally {
    stopRecovery();
    for (const [name, listener] of listeners) signals.off(name, listener);
    await agent.stop();
    await metrics?.close();
  }
}

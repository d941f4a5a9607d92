/**
 * `cluvio-agent --dashboard`: the agent runs through the host (src/host), the same layer the
 * desktop app uses, so the loopback dashboard shows its state, streams and logs and can import a
 * configuration. What the terminal sees does not change:
 *
 * - every record reaches the terminal through the host's one log pipeline (already redacted),
 *   with the same `--log` filter and the same text / JSON format; the CLI's own records
 *   (`configuration`, `shutting down`) go the same way, so they are in the dashboard's Logs too;
 * - SIGINT / SIGTERM → `shutting down`, the engine stopped (GoAway), the dashboard closed → exit 0,
 *   whatever state the agent is in.
 *
 * Unlike a plain run, nothing about the configuration ends the process, since the dashboard is
 * where it gets fixed: a missing or broken file is reported as usual and the agent waits for an
 * import; a permanent `Terminate` prints `agent was terminated by gateway: <reason text>` as a
 * plain run does, but the dashboard stays up and shows "Stopped by the gateway" with the reason,
 * its fix, import and "Restore previous". (A plain run keeps the reference's exit 1.)
 *
 * As in a plain run: the proxy goes to every engine the host creates, `--metrics-address` serves
 * the host's state and counters, and a clock jump or network change triggers a connection check.
 */
import type { AgentEngine, ProxySettings } from '../tunnel/agent/index.js';
import type { AgentState } from '../shared/agent-state.js';
import { isPermanentRefusal, refusalWords } from '../shared/gateway-refusal-words.js';
import type { LogFieldValue, LogRecord } from '../shared/log-record.js';
import {
  type AgentConfig,
  type ConfigSearchContext,
  DEFAULT_PING_FREQUENCY,
  durationToMs,
  parseHumantimeDuration,
} from '../tunnel/config/index.js';
import { ROOT_MODULE, type LogSink, type TextStream, type LogTargetFilter } from '../tunnel/log/index.js';
import type { AgentHost } from '../host/agent-host.js';
import { startDashboard, type Dashboard } from '../host/dashboard-server.js';
import { CommandLineSettings } from '../host/app-settings.js';
import { startConnectionRecovery } from '../host/connection-recovery.js';
import { createTunnelAgentHost } from '../host/tunnel-agent-host.js';
import { tunnelEngineFactory } from '../host/tunnel-engine-factory.js';
import type { DashboardAddress } from './dashboard-address.js';
import { dashboardTokenFromFile } from './dashboard-token-file.js';
import { packageVersion } from './package-version.js';
import {
  FAILURE_EXIT_CODE,
  proxyChoiceRecord,
  reportConfigError,
  startMetricsOption,
  STOPPED_EXIT_CODE,
  type SignalSource,
} from './run-agent.js';

export interface DashboardRunContext {
  readonly address: DashboardAddress;
  /** `--config`, as given. */
  readonly explicitConfig: string | undefined;
  readonly search: ConfigSearchContext;
  /** The terminal sink and the `--log` filter (the same ones a plain run subscribes to its hub). */
  readonly sink: LogSink;
  readonly filter: LogTargetFilter;
  readonly stderr: TextStream;
  readonly signals?: SignalSource;
  /** `--metrics-address`, or null. */
  readonly metrics?: DashboardAddress | null;
  /** The HTTP proxy for the gateway connection, or null. */
  readonly proxy?: ProxySettings | null;
  /** `--dashboard-token-file`: the URL's token is read from it (created on the first run), or null for a new one per run. */
  readonly tokenFile?: string | null;
  /** The built UI the dashboard serves (default: this package's dist/renderer). */
  readonly dashboardUiDir?: (() => string) | undefined;
}

type Ending = { readonly kind: 'signal'; readonly signal: string };

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const DASHBOARD_FIX = "The dashboard stays up: import this agent's configuration there, or restore the previous one.";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs the agent behind the dashboard until a signal or a permanent Terminate; resolves to the exit status. */
export async function runAgentWithDashboard(context: DashboardRunContext): Promise<number> {
  const { stderr } = context;
  let token: string | undefined;
  if (context.tokenFile !== undefined && context.tokenFile !== null) {
    const kept = await dashboardTokenFromFile(context.tokenFile);
    if (!kept.ok) {
      stderr.write(`dashboard: --dashboard-token-file: ${kept.error}\n`);
      return FAILURE_EXIT_CODE;
    }
    token = kept.token;
  }
  let end: (ending: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => {
    end = resolve;
  });

  const proxy = context.proxy ?? null;
  const createEngine = tunnelEngineFactory({ version: packageVersion(), proxy });
  const settings = new CommandLineSettings({
    metricsAddress:
      context.metrics === null || context.metrics === undefined
        ? null
        : `${context.metrics.host}:${context.metrics.port}`,
    proxy: proxy?.display ?? null,
  });
  const host: AgentHost<AgentConfig> = createTunnelAgentHost({
    appVersion: packageVersion(),
    transport: 'dashboard',
    search: context.search,
    // The host finds and reads the configuration (an import replaces the --config file; without
    // one it goes to the user's location); the terminal hears of it as in a plain run.
    configPath: context.explicitConfig ?? null,
    configEvents: {
      found: (file, rule) => {
        log('configuration', { path: file, rule });
      },
      loaded: (config) => {
        const proxyChoice = proxyChoiceRecord(proxy, config.server.host);
        if (proxyChoice !== null) log(proxyChoice.message, proxyChoice.fields);
      },
    },
    autostart: null,
    openFolder: null,
    proxy,
    settings,
    createEngine: (config, file): AgentEngine => {
      let engine: AgentEngine;
      try {
        engine = createEngine(config, file);
      } catch (error) {
        // As a plain run says it; the host shows the agent stopped with the reason.
        stderr.write(`agent: tls error: ${describe(error)}\n`);
        throw error;
      }
      void engine.done.then((state) => {
        if (state.phase === 'terminated') reportTerminated(state);
      });
      return engine;
    },
  });
  const reportTerminated = (state: Extract<AgentState, { phase: 'terminated' }>): void => {
    stderr.write(`agent was terminated by gateway: ${state.message}\n`);
    // An import the gateway refused is rolled back by the host; otherwise the agent stays stopped.
    if (isPermanentRefusal(state.reason))
      stderr.write(`dashboard: ${refusalWords({ kind: 'terminated', reason: state.reason }).why} ${DASHBOARD_FIX}\n`);
  };
  const toTerminal = host.onLogRecord((record: LogRecord) => {
    if (context.filter.enabled(record.level, record.module)) context.sink(record);
  });
  const log = (message: string, fields: Record<string, LogFieldValue>): void => {
    host.record('info', ROOT_MODULE, message, fields);
  };

  let rendererDir: string | undefined;
  try {
    rendererDir = context.dashboardUiDir?.();
  } catch (error) {
    stderr.write(`dashboard: ${describe(error)}\n`);
    toTerminal();
    await host.close();
    return FAILURE_EXIT_CODE;
  }
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({
      api: host,
      host: context.address.host,
      port: context.address.port,
      token,
      supportBundle: (fileName) => host.readSupportBundle(fileName),
      rendererDir,
    });
  } catch (error) {
    stderr.write(`dashboard: cannot listen on ${context.address.host}:${context.address.port}: ${describe(error)}\n`);
    toTerminal();
    await host.close();
    return FAILURE_EXIT_CODE;
  }

  const metrics = await startMetricsOption(context.metrics, host, stderr);
  if (metrics !== null && metrics !== 'failed') settings.listening(metrics.url);
  if (metrics === 'failed') {
    toTerminal();
    await dashboard.close();
    await host.close();
    return FAILURE_EXIT_CODE;
  }

  const signals = context.signals ?? process;
  const listeners = SHUTDOWN_SIGNALS.map(
    (name) =>
      [
        name,
        () => {
          end({ kind: 'signal', signal: name });
        },
      ] as const,
  );
  for (const [name, listener] of listeners) signals.once(name, listener);
  // The threshold follows the configuration that is running when the detector starts.
  let stopRecovery = (): void => undefined;

  try {
    stderr.write(`dashboard: ${dashboard.url}\n`);
    const started = await host.start();
    if (!started.ok) {
      // Reported as a plain run does; the dashboard shows it with the file and the key.
      reportConfigError(stderr, started.failure);
      stderr.write('dashboard: waiting for a configuration: import cluvio-agent.toml in the dashboard\n');
    }
    stopRecovery = startConnectionRecovery({
      target: host,
      clockJumpThresholdMs:
        host.snapshot().config?.pingFrequencyMs ?? durationToMs(parseHumantimeDuration(DEFAULT_PING_FREQUENCY)),
    });

    const ending = await ended;
    log('shutting down', { signal: ending.signal });
    // The engine first (streams closed, GoAway), so the page sees "stopped" before it loses us.
    await host.stop();
    return STOPPED_EXIT_CODE;
  } finally {
    stopRecovery();
    for (const [name, listener] of listeners) signals.off(name, listener);
    await metrics?.close();
    await dashboard.close();
    await host.close();
    toTerminal();
  }
}

/**
 * The `cluvio-agent` command, with the reference agent's options (PROTOCOL.md §8.3), as a function
 * of its arguments and surroundings so that it runs the same in a test as from the shell.
 * Exit statuses: 0 done, 1 configuration problem, 2 usage error or tunnel not available.
 *
 * Beyond the reference (none of it in cluvio-agent.toml, so the same file works with both
 * agents): `--dashboard`, `--metrics-address`, `--proxy`/`--no-proxy` (and the proxy
 * environment variables), and the `diagnose` subcommand (diagnose-cli.ts).
 */
import { Command } from 'commander';
import { generateKeyPair } from '../tunnel/auth/index.js';
import { ConfigError, type Environment, locateConfigFile, readConfigFile } from '../tunnel/config/index.js';
import {
  LogHub,
  createStreamSink,
  shouldUseAnsi,
  type TextStream,
  DEFAULT_LOG_FILTER,
  LogFilterError,
  LogTargetFilter,
} from '../tunnel/log/index.js';
import { configSearchHelp } from './agent-help.js';
import { dashboardHelp } from './dashboard-help.js';
import { parseDashboardAddress, type DashboardAddress } from './dashboard-address.js';
import { parseMetricsAddress } from './dashboard-address.js';
import { runAgentWithDashboard } from './dashboard-run.js';
import { runDiagnoseCli } from './diagnose-cli.js';
import { extensionsHelp } from './extensions-help.js';
import { USAGE_EXIT_CODE, parseCommandLine } from './command-line.js';
import { packageVersion } from './package-version.js';
import { resolveProxyOption, type ProxyOptionValue } from './proxy-option.js';
import { reportConfigError, runAgent } from './run-agent.js';

export interface AgentCliContext {
  readonly stdout: TextStream;
  readonly stderr: TextStream;
  readonly env: Environment;
  readonly platform: NodeJS.Platform;
  /** Directory of the executable, first place the configuration is looked for on Unix. */
  readonly exeDir: string;
  /** The account's home directory (used when $HOME is unset or empty). */
  readonly homeDir: string;
  /** The dashboard's built UI, asked for when `--dashboard` starts (default: this package's dist/renderer). */
  readonly dashboardUiDir?: () => string;
}

interface AgentCommandOptions {
  readonly config?: string;
  readonly version?: boolean;
  readonly log?: string;
  readonly json?: boolean;
  readonly genKeypair?: boolean;
  readonly dashboard?: string | true;
  readonly dashboardTokenFile?: string;
  readonly metricsAddress?: string;
  readonly proxy?: ProxyOptionValue;
}

const CONFIG_EXIT_CODE = 1;
const MORE_INFO = "\nFor more information, try '--help'.\n";

function buildCommand(context: AgentCliContext): Command {
  return new Command('cluvio-agent')
    .description('Cluvio agent: connects Cluvio to databases on a private network over one outbound TLS connection.')
    .usage('[OPTIONS]')
    .option('-c, --config <PATH>', 'Path to the configuration file (default: searched, see below)')
    .option('--version', 'Show version information')
    .option('-l, --log <FILTER>', `Log filter, e.g. info or cluvio_agent=debug (default: ${DEFAULT_LOG_FILTER})`)
    .option('-j, --json', 'Use json format for log messages')
    .option('-g, --gen-keypair', 'Generate a new keypair')
    .option(
      '--dashboard [ADDRESS]',
      'Also serve a status dashboard on loopback and print its URL on stderr (default 127.0.0.1, any free port; see below)',
    )
    .option(
      '--dashboard-token-file <PATH>',
      "Keep the dashboard URL's token in this file (created owner-only on the first run), so the URL stays the same after a restart",
    )
    .option(
      '--metrics-address <ADDRESS>',
      'Serve /healthz, /readyz and Prometheus /metrics on this loopback address, e.g. 127.0.0.1:9464',
    )
    .option(
      '--proxy <URL>',
      'Reach the gateway through this HTTP proxy, e.g. http://user:password@proxy:3128 (default: HTTPS_PROXY)',
    )
    .option('--no-proxy', 'Ignore HTTPS_PROXY / https_proxy / ALL_PROXY')
    .helpOption('-h, --help', 'Print help')
    .addHelpText('after', configSearchHelp(context) + dashboardHelp() + extensionsHelp())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: (text, write) => {
        write(`${text.trimEnd()}\n${MORE_INFO}`);
      },
    });
}

/** Parses `argv` (without node and script) and runs the command; resolves to the exit status. */
export async function runAgentCli(argv: readonly string[], context: AgentCliContext): Promise<number> {
  if (argv[0] === 'diagnose') return runDiagnoseCli(argv.slice(1), context);
  const command = buildCommand(context);
  const ended = parseCommandLine(command, argv);
  if (ended !== undefined) return ended;
  const options = command.opts<AgentCommandOptions>();

  // As the reference: --version wins over everything else and needs no logging.
  if (options.version === true) {
    context.stdout.write(`${packageVersion()}\n`);
    return 0;
  }

  let filter: LogTargetFilter;
  try {
    filter = LogTargetFilter.parse(options.log ?? DEFAULT_LOG_FILTER);
  } catch (error) {
    if (!(error instanceof LogFilterError)) throw error;
    context.stderr.write(
      `error: invalid value '${options.log ?? ''}' for '--log <FILTER>': ${error.message}\n${MORE_INFO}`,
    );
    return USAGE_EXIT_CODE;
  }
  let dashboard: DashboardAddress | null = null;
  if (options.dashboard !== undefined) {
    const parsed = parseDashboardAddress(options.dashboard);
    if (!parsed.ok) {
      context.stderr.write(
        `error: invalid value '${options.dashboard === true ? '' : options.dashboard}' for '--dashboard [ADDRESS]': ${parsed.error}\n${MORE_INFO}`,
      );
      return USAGE_EXIT_CODE;
    }
    dashboard = parsed.address;
  }
  if (options.dashboardTokenFile !== undefined && dashboard === null) {
    context.stderr.write(`error: '--dashboard-token-file <PATH>' is only used with '--dashboard'\n${MORE_INFO}`);
    return USAGE_EXIT_CODE;
  }
  let metrics: DashboardAddress | null = null;
  if (options.metricsAddress !== undefined) {
    const parsed = parseMetricsAddress(options.metricsAddress);
    if (!parsed.ok) {
      context.stderr.write(
        `error: invalid value '${options.metricsAddress}' for '--metrics-address <ADDRESS>': ${parsed.error}\n${MORE_INFO}`,
      );
      return USAGE_EXIT_CODE;
    }
    metrics = parsed.address;
  }
  const proxyChoice = resolveProxyOption(options.proxy, context.env);
  if (!proxyChoice.ok) {
    const what = typeof options.proxy === 'string' ? `invalid value for '--proxy <URL>'` : 'unusable proxy setting';
    context.stderr.write(`error: ${what}: ${proxyChoice.error}\n${MORE_INFO}`);
    return USAGE_EXIT_CODE;
  }
  const { proxy } = proxyChoice;
  const sink = createStreamSink(context.stdout, {
    json: options.json === true,
    ansi: shouldUseAnsi(context.stdout, context.env),
  });
  const log = new LogHub();
  log.subscribe(sink, filter);

  if (options.genKeypair === true) {
    const pair = generateKeyPair();
    context.stdout.write(`public-key: ${pair.agentId}\nsecret-key: ${pair.secretKey.exportBase64url()}\n`);
    return 0;
  }

  if (dashboard !== null) {
    return runAgentWithDashboard({
      address: dashboard,
      explicitConfig: options.config,
      search: { platform: context.platform, exeDir: context.exeDir, env: context.env, homeDir: context.homeDir },
      sink,
      filter,
      stderr: context.stderr,
      metrics,
      proxy,
      tokenFile: options.dashboardTokenFile ?? null,
      dashboardUiDir: context.dashboardUiDir,
    });
  }

  try {
    const configFile = await locateConfigFile({ ...context, explicitPath: options.config });
    log.logger().info('configuration', { path: configFile.path, rule: configFile.rule });
    const config = await readConfigFile(configFile.path, context.env);
    // Beyond the reference, which ignores unknown keys silently: a misspelt key falls back to its default.
    for (const warning of config.warnings) log.logger().warn(`configuration: ${warning.message}`, { key: warning.key });
    return await runAgent({ config, configFile, log, stderr: context.stderr, metrics, proxy });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    reportConfigError(context.stderr, error);
    return CONFIG_EXIT_CODE;
  }
}

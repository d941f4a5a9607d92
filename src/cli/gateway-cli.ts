/**
 * The `cluvio-gateway` command, as a function of its arguments and surroundings:
 *
 *     cluvio-gateway init --host <name> --dir <dir> [--port 8443] [--agent-name agent] [--force]
 *     cluvio-gateway serve [-c gateway.toml] [-l FILTER] [-j]
 *     cluvio-gateway agents|streams|routes [-c gateway.toml] [--json]
 *     cluvio-gateway test <agent> <host:port>
 *     cluvio-gateway switch <agent>
 *     cluvio-gateway disable|enable <agent>
 *     cluvio-gateway terminate <agent> <reason>
 *     cluvio-gateway route add --agent <agent> --target <host:port> [--listen host:port] [--half-close]
 *     cluvio-gateway route remove <id>
 *
 * Operator subcommands talk to the running gateway's loopback admin API, found through the
 * `<config>.admin.json` file `serve` writes. Exit statuses: 0 done, 1 failed (including a
 * failed `test`), 2 usage error.
 */
import { Command, Option } from 'commander';
import { REASONS } from '../tunnel/codec/index.js';
import {
  LogHub,
  createStreamSink,
  shouldUseAnsi,
  type TextStream,
  LogFilterError,
  LogTargetFilter,
} from '../tunnel/log/index.js';
import { AdminClient, AdminClientError } from '../gateway/admin-client.js';
import { parseReason } from '../gateway/admin-server.js';
import type { AgentInfo, RouteInfo, GatewayStreamInfo, SwitchResult, TestResult } from '../gateway/index.js';
import { DEFAULT_GATEWAY_PORT, writeGatewaySetup } from '../gateway/setup-files.js';
import { formatAgents, formatRoutes, formatStreams } from './gateway-format.js';
import { serveGateway, type ShutdownSignals } from './gateway-serve.js';
import { USAGE_EXIT_CODE, commanderExitCode } from './command-line.js';
import { packageVersion } from './package-version.js';

export interface GatewayCliContext {
  readonly stdout: TextStream;
  readonly stderr: TextStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where SIGINT/SIGTERM/SIGHUP arrive (the process). */
  readonly signals: ShutdownSignals;
}

const FAILURE_EXIT_CODE = 1;
const DEFAULT_CONFIG = 'gateway.toml';
const DEFAULT_LOG_FILTER = 'cluvio_gateway=info';

/** Parses `argv` (without node and script) and runs the subcommand; resolves to the exit status. */
export async function runGatewayCli(argv: readonly string[], context: GatewayCliContext): Promise<number> {
  let exitCode = 0;
  const out = (text: string): void => {
    context.stdout.write(text);
  };
  const configOption = (): Option =>
    new Option('-c, --config <path>', 'the gateway config file').default(
      context.env.CLUVIO_GATEWAY_CONFIG ?? DEFAULT_CONFIG,
    );
  const jsonOption = (): Option => new Option('--json', 'print the admin API answer as JSON');
  const admin = (options: { config: string }): Promise<AdminClient> => AdminClient.forConfig(options.config);

  const program = new Command('cluvio-gateway')
    .description(
      'Reference gateway for Cluvio agents: TLS 1.3 + yamux server, agent registry, routes and an operator API.',
    )
    .version(packageVersion(), '--version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    });

  program
    .command('init')
    .description('write a CA, a server certificate, an agents file, gateway.toml and a ready cluvio-agent.toml')
    .requiredOption('--host <name>', 'DNS name agents use to reach the gateway')
    .requiredOption('--dir <dir>', 'directory to write the files to')
    .option('--port <port>', 'port the gateway listens on', String(DEFAULT_GATEWAY_PORT))
    .option('--agent-name <name>', 'registry name of the generated agent', 'agent')
    .option('--force', 'overwrite existing files')
    .action(async (options: { host: string; dir: string; port: string; agentName: string; force?: boolean }) => {
      const setup = await writeGatewaySetup({
        host: options.host,
        dir: options.dir,
        port: Number(options.port),
        agentName: options.agentName,
        force: options.force === true,
      });
      out(
        [
          `wrote ${setup.dir}:`,
          `  ca.crt, ca.key (0600)              private CA (its certificate is the agents' [server] trust)`,
          `  server.crt, server.key (0600)      certificate for ${options.host}`,
          `  agents.toml                        registry with agent "${options.agentName}"`,
          `  gateway.toml                       gateway config`,
          `  cluvio-agent.toml (0600)           agent config (holds the agent's secret key)`,
          `agent id: ${setup.agentId}`,
          `start:    cluvio-gateway serve -c ${setup.files.gatewayConfig}`,
          `          cluvio-agent -c ${setup.files.agentConfig}`,
          '',
        ].join('\n'),
      );
    });

  program
    .command('serve')
    .description('run the gateway until SIGINT/SIGTERM (SIGHUP reloads the agents file)')
    .addOption(configOption())
    .option('-l, --log <filter>', `log filter, e.g. cluvio_gateway=debug (default: ${DEFAULT_LOG_FILTER})`)
    .option('-j, --json', 'JSON log lines')
    .action(async (options: { config: string; log?: string; json?: boolean }) => {
      let filter: LogTargetFilter;
      try {
        filter = LogTargetFilter.parse(options.log ?? DEFAULT_LOG_FILTER);
      } catch (error) {
        if (!(error instanceof LogFilterError)) throw error;
        throw new UsageError(`invalid --log filter: ${error.message}`);
      }
      const log = new LogHub();
      log.subscribe(
        createStreamSink(context.stdout, {
          json: options.json === true,
          ansi: shouldUseAnsi(context.stdout, context.env),
        }),
        filter,
      );
      exitCode = await serveGateway(options.config, log, context.signals);
    });

  program
    .command('agents')
    .description('list agents and their connections')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: { config: string; json?: boolean }) => {
      const agents = await (await admin(options)).get<AgentInfo[]>('agents');
      out(options.json === true ? `${JSON.stringify(agents, null, 2)}\n` : formatAgents(agents));
    });

  program
    .command('streams')
    .description('list open data streams')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: { config: string; json?: boolean }) => {
      const streams = await (await admin(options)).get<GatewayStreamInfo[]>('streams');
      out(options.json === true ? `${JSON.stringify(streams, null, 2)}\n` : formatStreams(streams));
    });

  program
    .command('routes')
    .description('list routes')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (options: { config: string; json?: boolean }) => {
      const routes = await (await admin(options)).get<RouteInfo[]>('routes');
      out(options.json === true ? `${JSON.stringify(routes, null, 2)}\n` : formatRoutes(routes));
    });

  program
    .command('test')
    .description('ask the agent whether it can reach <host:port> (allowlist, then a TCP connect)')
    .argument('<agent>', 'agent id or name')
    .argument('<target>', 'host:port, a.b.c.d:port or [v6]:port')
    .addOption(configOption())
    .action(async (agent: string, target: string, options: { config: string }) => {
      const result = await (
        await admin(options)
      ).post<TestResult>(`agents/${encodeURIComponent(agent)}/test`, { target });
      if (result.ok) {
        out(`${target}: reachable\n`);
      } else {
        out(
          `${target}: ${result.code === 'AddressNotAllowed' ? 'address not allowed' : result.code === 'CouldNotConnect' ? 'could not connect' : result.code}\n`,
        );
        exitCode = FAILURE_EXIT_CODE;
      }
    });

  program
    .command('switch')
    .description('tell the agent to open a new connection and drain the current one')
    .argument('<agent>', 'agent id or name')
    .addOption(configOption())
    .action(async (agent: string, options: { config: string }) => {
      const result = await (await admin(options)).post<SwitchResult>(`agents/${encodeURIComponent(agent)}/switch`);
      out(
        `switched: connection #${result.previousConnectionId} is draining, #${result.currentConnectionId} is current\n`,
      );
    });

  for (const status of ['disable', 'enable'] as const) {
    program
      .command(status)
      .description(
        status === 'disable'
          ? 'disable the agent (Terminate{Disabled} now and at every connect)'
          : 'enable the agent again',
      )
      .argument('<agent>', 'agent id or name')
      .addOption(configOption())
      .action(async (agent: string, options: { config: string }) => {
        const info = await (
          await admin(options)
        ).post<AgentInfo | null>(`agents/${encodeURIComponent(agent)}/status`, { status: `${status}d` });
        out(`${info?.name ?? agent}: ${status}d\n`);
      });
  }

  program
    .command('terminate')
    .description(`send Terminate{reason} to the agent (${REASONS.join(', ')}; only Disabled lets it retry)`)
    .argument('<agent>', 'agent id or name')
    .argument('<reason>', 'unauthenticated | unauthorized | unsupported-version | disabled')
    .addOption(configOption())
    .action(async (agent: string, reasonText: string, options: { config: string }) => {
      const reason = parseReason(reasonText);
      if (reason === null)
        throw new UsageError(
          `unknown reason "${reasonText}"; use one of unauthenticated, unauthorized, unsupported-version, disabled`,
        );
      const result = await (
        await admin(options)
      ).post<{ connections: number }>(`agents/${encodeURIComponent(agent)}/terminate`, { reason });
      out(`terminated ${result.connections} connection(s) with ${reason}\n`);
    });

  const routeCommand = program.command('route').description('add or remove routes');
  routeCommand
    .command('add')
    .description('listen on a local port and relay every connection through the agent to the target')
    .requiredOption('--agent <agent>', 'agent id or name')
    .requiredOption('--target <host:port>', 'where the agent connects')
    .option('--listen <host:port>', 'local listen address', '127.0.0.1:0')
    .option('--half-close', 'half-close copying (for protocols that shut down one direction)')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(
      async (options: {
        agent: string;
        target: string;
        listen: string;
        halfClose?: boolean;
        config: string;
        json?: boolean;
      }) => {
        const route = await (
          await admin(options)
        ).post<RouteInfo>('routes', {
          agent: options.agent,
          target: options.target,
          listen: options.listen,
          halfClose: options.halfClose === true,
        });
        out(
          options.json === true
            ? `${JSON.stringify(route, null, 2)}\n`
            : `route ${route.id}: ${route.host}:${route.port} → ${route.target} via ${route.agent}\n`,
        );
      },
    );
  routeCommand
    .command('remove')
    .description('close a route')
    .argument('<id>', 'route id (see `cluvio-gateway routes`)')
    .addOption(configOption())
    .action(async (id: string, options: { config: string }) => {
      await (await admin(options)).delete(`routes/${encodeURIComponent(id)}`);
      out(`route ${id} closed\n`);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    const commanderStatus = commanderExitCode(error);
    if (commanderStatus !== undefined) return commanderStatus;
    if (error instanceof UsageError) {
      context.stderr.write(`cluvio-gateway: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    const message = error instanceof AdminClientError || error instanceof Error ? error.message : String(error);
    context.stderr.write(`cluvio-gateway: ${message}\n`);
    return FAILURE_EXIT_CODE;
  }
}

class UsageError extends Error {}

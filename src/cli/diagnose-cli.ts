/**
 * `cluvio-agent diagnose`: runs the engine's diagnostics (src/tunnel/agent/diagnose.ts) on the
 * configuration the agent would use (same `--config` and search order, same environment, same
 * proxy choice) and prints one PASS/FAIL/WARN/SKIP line per step as it completes, each failure
 * with its fix. `--bundle FILE` also writes a redacted support archive (diagnose-bundle.ts), as a
 * new owner-only file renamed over FILE: a symlink or an existing file at FILE is replaced, never
 * written through. Exit status: 0 when no check failed, 1 when one did, 2 for a usage error.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { formatDiagnoseStep, formatDiagnoseSummary } from '../shared/diagnose-report.js';
import type { LogRecord } from '../shared/log-record.js';
import { runDiagnose, type DiagnoseConfig, type ProxySettings } from '../tunnel/agent/index.js';
import { ConfigError, locateConfigFile, readConfigFile, toPublicConfig } from '../tunnel/config/index.js';
import { LogHub, LogTargetFilter } from '../tunnel/log/index.js';
import { bundleSecrets, writeSupportBundle } from '../host/diagnose-bundle.js';
import { createLogRedactor } from '../host/log-redaction.js';
import type { AgentCliContext } from './agent-cli.js';
import { parseCommandLine } from './command-line.js';
import { packageVersion } from './package-version.js';
import { resolveProxyOption, type ProxyOptionValue } from './proxy-option.js';

interface DiagnoseCommandOptions {
  readonly config?: string;
  readonly proxy?: ProxyOptionValue;
  readonly target?: string[];
  readonly skipHandshake?: boolean;
  readonly bundle?: string;
  readonly json?: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function buildCommand(context: AgentCliContext): Command {
  return new Command('cluvio-agent diagnose')
    .description('Checks, step by step, why the agent cannot connect or reach a database, with a fix for each failure.')
    .usage('[OPTIONS]')
    .option('-c, --config <PATH>', 'Path to the configuration file (default: searched, as the agent does)')
    .option('--proxy <URL>', 'Reach the gateway through this HTTP proxy (default: HTTPS_PROXY / https_proxy)')
    .option('--no-proxy', 'Ignore HTTPS_PROXY / https_proxy')
    .option('--target <HOST:PORT>', 'Also check that this database is allowed and reachable (repeatable)', collect)
    .option(
      '--skip-handshake',
      'Leave out the key check (it makes an agent running with this configuration reconnect once)',
    )
    .option(
      '--bundle <FILE>',
      'Write a support archive (.tar.gz, readable by you only; replaces FILE): report, configuration without the secret key, logs, versions',
    )
    .option('--json', 'Print the report as JSON instead of text')
    .helpOption('-h, --help', 'Print help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: (text, write) => {
        write(`${text.trimEnd()}\n\nFor more information, try 'cluvio-agent diagnose --help'.\n`);
      },
    });
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/** Why the bundle could not be written, in the user's terms (not the temporary file's). */
function whyNotWritten(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const dir = path.dirname(path.resolve(file));
  if (code === 'ENOENT') return `the folder ${dir} does not exist`;
  if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST')
    return `it is a folder: give a file name, e.g. ${path.join(file, 'support.tar.gz')}`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return `you may not create or replace files in ${dir} (or replace ${file}): choose another place`;
  return error instanceof Error ? error.message : String(error);
}

/** Runs `cluvio-agent diagnose <argv>`; resolves to the exit status. */
export async function runDiagnoseCli(argv: readonly string[], context: AgentCliContext): Promise<number> {
  const command = buildCommand(context);
  const ended = parseCommandLine(command, argv);
  if (ended !== undefined) return ended;
  const options = command.opts<DiagnoseCommandOptions>();
  const version = packageVersion();

  let diagnoseConfig: DiagnoseConfig;
  let configText: string | null = null;
  try {
    const located = await locateConfigFile({ ...context, explicitPath: options.config });
    diagnoseConfig = {
      ok: true,
      config: await readConfigFile(located.path, context.env),
      file: located.path,
      rule: located.rule,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    diagnoseConfig = {
      ok: false,
      problem: error.problem,
      searched: error.searched.map((candidate) => `${candidate.path} (${candidate.rule})`),
    };
    if (error.problem.file !== null) configText = await readText(error.problem.file);
  }

  const proxyChoice = resolveProxyOption(options.proxy, context.env);
  const proxy: ProxySettings | null = proxyChoice.ok ? proxyChoice.proxy : null;
  const secrets = bundleSecrets(
    diagnoseConfig.ok ? diagnoseConfig.config : null,
    proxy,
    typeof options.proxy === 'string' ? [options.proxy] : [],
  );

  // The probe agent's records, kept (redacted) for the bundle; the terminal shows the steps only.
  const hub = new LogHub();
  const records: LogRecord[] = [];
  const redact = createLogRedactor(() => secrets);
  hub.subscribe((record) => records.push(redact(record)), LogTargetFilter.allAt('debug'));

  const json = options.json === true;
  if (!json) context.stdout.write(`cluvio-agent ${version} diagnose\n\n`);
  const report = await runDiagnose({
    config: diagnoseConfig,
    proxy,
    proxyProblem: proxyChoice.ok ? null : proxyChoice.error,
    handshake: options.skipHandshake === true ? { kind: 'skip' } : { kind: 'probe' },
    targets: options.target ?? [],
    version,
    log: hub,
    onStep: json
      ? undefined
      : (step) => {
          context.stdout.write(`${formatDiagnoseStep(step)}\n`);
        },
  });
  if (json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else context.stdout.write(`\n${formatDiagnoseSummary(report)}`);

  if (options.bundle !== undefined) {
    try {
      await writeSupportBundle(options.bundle, {
        report,
        publicConfig: diagnoseConfig.ok ? toPublicConfig(diagnoseConfig.config) : null,
        configText: diagnoseConfig.ok ? null : configText,
        logs: records,
        secrets,
        env: context.env,
      });
      context.stderr.write(`bundle: ${options.bundle} (without the secret key and proxy credentials)\n`);
    } catch (error) {
      context.stderr.write(`bundle: cannot write ${options.bundle}: ${whyNotWritten(error, options.bundle)}\n`);
      return 1;
    }
  }
  return report.ok ? 0 : 1;
}

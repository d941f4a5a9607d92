/**
 * What the three command lines (`cluvio-agent`, its `diagnose`, `cluvio-gateway`) share: exit
 * statuses and the parse step of Commander, whose `--help`/`--version` and usage errors
 * arrive as exceptions (`exitOverride`).
 */
import { type Command, CommanderError } from 'commander';

/** Bad command line (unknown option, missing argument, invalid value). */
export const USAGE_EXIT_CODE = 2;

/**
 * The exit status for a Commander exception (0 after `--help`, else the usage status), or
 * `undefined` when `error` is something else, for the caller to handle.
 */
export function commanderExitCode(error: unknown): number | undefined {
  if (!(error instanceof CommanderError)) return undefined;
  return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
}

/** Parses synchronously; resolves to an exit status when parsing already ended the command (help, usage error). */
export function parseCommandLine(command: Command, argv: readonly string[]): number | undefined {
  try {
    command.parse([...argv], { from: 'user' });
    return undefined;
  } catch (error) {
    const status = commanderExitCode(error);
    if (status === undefined) throw error;
    return status;
  }
}

/** Runs a tool of the packaging steps; its output is shown only when it fails, with the command line. */
import { spawnSync } from 'node:child_process';

export interface CommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `command args…`; returns its stdout, throws with everything it printed when it fails. */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = [command, ...args].join(' ');
  if (result.error !== undefined) throw new Error(`${line}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(
      `${line} failed (${result.status === null ? `signal ${String(result.signal)}` : `exit ${result.status}`}):\n${result.stdout}${result.stderr}`,
    );
  return result.stdout;
}

/** Whether `command` can be run from PATH (for optional tools: strip, rpmbuild, codesign). */
export function hasCommand(command: string): boolean {
  const probe =
    process.platform === 'win32'
      ? spawnSync('where', [command])
      : spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
  return probe.status === 0;
}

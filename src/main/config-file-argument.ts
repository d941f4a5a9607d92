/** A configuration file handed to the app on its command line (or by a file association). */
import path from 'node:path';

/**
 * The first argument after the executable that names a `.toml` file, resolved against `cwd`
 * (for a second instance: its working directory), or null.
 */
export function configFileArgument(argv: readonly string[], cwd: string): string | null {
  const file = argv.slice(1).find((arg) => !arg.startsWith('-') && arg.toLowerCase().endsWith('.toml'));
  return file === undefined ? null : path.resolve(cwd, file);
}

/** Launched at login (`--hidden`): start in the tray without opening the window. */
export function startHidden(argv: readonly string[]): boolean {
  return argv.includes('--hidden');
}

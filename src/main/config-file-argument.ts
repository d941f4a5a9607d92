/** A configuration file handed to the app on its command line (or by a file association). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A `file://` URL (Linux launchers may pass one for the desktop entry's `%U`) or a path. */
function asPath(arg: string, cwd: string): string | null {
  if (/^file:\/\//i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return null;
    }
  }
  return path.resolve(cwd, arg);
}

/**
 * The first argument after the executable that names a `.toml` file, resolved against `cwd`
 * (for a second instance: its working directory), or null.
 */
export function configFileArgument(argv: readonly string[], cwd: string): string | null {
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-') || !arg.toLowerCase().endsWith('.toml')) continue;
    const file = asPath(arg, cwd);
    if (file !== null) return file;
  }
  return null;
}

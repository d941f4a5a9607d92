/**
 * Where `cluvio-agent.toml` is looked for, in the reference agent's order (PROTOCOL.md §8.2), and
 * which of those places is the user's own — the one an imported file is written to.
 */
import path from 'node:path';

export const CONFIG_FILE_NAME = 'cluvio-agent.toml';

export interface ConfigSearchContext {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** Directory of the running executable (Electron's binary, or node for the CLI). */
  readonly execDir: string;
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The user's configuration directory: `%APPDATA%`, `$HOME` on macOS, `$XDG_CONFIG_HOME` or `~/.config`. */
export function userConfigDir(context: ConfigSearchContext): string {
  const p = pathFor(context.platform);
  if (context.platform === 'win32') {
    const appData = context.env.APPDATA;
    return appData !== undefined && p.isAbsolute(appData) ? appData : p.join(context.homeDir, 'AppData', 'Roaming');
  }
  if (context.platform === 'darwin') return context.homeDir;
  // As the `dirs` crate: a relative XDG_CONFIG_HOME is ignored.
  const xdg = context.env.XDG_CONFIG_HOME;
  return xdg !== undefined && p.isAbsolute(xdg) ? xdg : p.join(context.homeDir, '.config');
}

export function userConfigPath(context: ConfigSearchContext): string {
  return pathFor(context.platform).join(userConfigDir(context), CONFIG_FILE_NAME);
}

/** Candidate files, first match wins. */
export function configSearchPaths(context: ConfigSearchContext): string[] {
  const p = pathFor(context.platform);
  const inExecDir = p.join(context.execDir, CONFIG_FILE_NAME);
  if (context.platform === 'win32') return [userConfigPath(context), inExecDir];
  return [inExecDir, userConfigPath(context), p.join('/etc', CONFIG_FILE_NAME)];
}

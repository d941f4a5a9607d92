/**
 * Where `cluvio-agent.toml` is looked for when `--config` is absent (PROTOCOL.md §8.2), as a pure
 * function so every OS's order is testable anywhere. It mirrors the reference's main.rs with
 * directories 6 / dirs-sys 0.5:
 *
 * - Unix except macOS: executable dir → `$XDG_CONFIG_HOME` if set and absolute, else
 *   `$HOME/.config` → `/etc`. Only one of the two user dirs is tried.
 * - macOS: executable dir → `$HOME` → `/etc`.
 * - Windows: roaming AppData (`%APPDATA%`; the reference asks the Known Folder API for
 *   FOLDERID_RoamingAppData, which `%APPDATA%` names) → executable dir.
 *
 * The home directory is `$HOME` when non-empty, else the account's home (`homeDir`, from the
 * password database); with neither, the user location is skipped, as `BaseDirs::new()` is None.
 * The executable directory is the caller's choice: the reference uses its resolved binary path.
 */
import path from 'node:path';
import type { Environment } from './env-overrides.js';

export const CONFIG_FILE_NAME = 'cluvio-agent.toml';

export type ConfigSearchRule =
  | 'directory of the executable'
  | '$XDG_CONFIG_HOME'
  | '$HOME/.config'
  | '$HOME'
  | '/etc'
  | '%APPDATA%'
  | '%USERPROFILE%\\AppData\\Roaming';

export interface ConfigCandidate {
  readonly path: string;
  readonly rule: ConfigSearchRule;
}

export interface ConfigSearchContext {
  readonly platform: NodeJS.Platform;
  /** Directory of the running executable (see the CLI and Electron entry points for their choice). */
  readonly exeDir: string;
  readonly env: Environment;
  /** The account's home directory from the OS (used when `$HOME` is unset or empty); '' if unknown. */
  readonly homeDir: string;
}

function lookup(env: Environment, name: string, caseInsensitive: boolean): string | undefined {
  if (!caseInsensitive) return env[name];
  const upper = name.toUpperCase();
  const entry = Object.entries(env).find(([key]) => key.toUpperCase() === upper);
  return entry?.[1];
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function userCandidate(context: ConfigSearchContext): ConfigCandidate | null {
  const { platform, env } = context;
  if (platform === 'win32') {
    const p = path.win32;
    const appData = nonEmpty(lookup(env, 'APPDATA', true));
    if (appData !== null && p.isAbsolute(appData))
      return { path: p.join(appData, CONFIG_FILE_NAME), rule: '%APPDATA%' };
    const profile = nonEmpty(lookup(env, 'USERPROFILE', true)) ?? nonEmpty(context.homeDir);
    return profile === null
      ? null
      : { path: p.join(profile, 'AppData', 'Roaming', CONFIG_FILE_NAME), rule: '%USERPROFILE%\\AppData\\Roaming' };
  }
  const p = path.posix;
  const home = nonEmpty(env.HOME) ?? nonEmpty(context.homeDir);
  if (home === null) return null;
  if (platform === 'darwin') return { path: p.join(home, CONFIG_FILE_NAME), rule: '$HOME' };
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg !== undefined && p.isAbsolute(xdg)) return { path: p.join(xdg, CONFIG_FILE_NAME), rule: '$XDG_CONFIG_HOME' };
  return { path: p.join(home, '.config', CONFIG_FILE_NAME), rule: '$HOME/.config' };
}

/** Candidate files in search order; the first that is a regular file wins. */
export function configSearchOrder(context: ConfigSearchContext): ConfigCandidate[] {
  const p = context.platform === 'win32' ? path.win32 : path.posix;
  const exe: ConfigCandidate = { path: p.join(context.exeDir, CONFIG_FILE_NAME), rule: 'directory of the executable' };
  const user = userCandidate(context);
  const userList = user === null ? [] : [user];
  if (context.platform === 'win32') return [...userList, exe];
  return [exe, ...userList, { path: p.join('/etc', CONFIG_FILE_NAME), rule: '/etc' }];
}

/**
 * Start at login on Linux desktops: an XDG autostart entry, `$XDG_CONFIG_HOME/autostart/*.desktop`
 * (freedesktop.org Desktop Application Autostart and Desktop Entry specifications).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AutostartState } from '../shared/agent-api.js';
import type { AutostartControl } from './autostart-control.js';

export const AUTOSTART_FILE_NAME = 'cluvio-agent.desktop';

export interface XdgAutostartOptions {
  /** `$XDG_CONFIG_HOME` or `~/.config`; the entry goes to its `autostart/` folder. */
  readonly configDir: string;
  /** The program and its arguments, e.g. `[$APPIMAGE ?? process.execPath, '--hidden']`. */
  readonly command: readonly string[];
  readonly name: string;
  readonly comment: string;
  /** Icon name or absolute path; omitted when null. */
  readonly icon: string | null;
}

/** Characters that force an Exec argument into double quotes (Desktop Entry spec, "The Exec key"). */
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/** One Exec argument, quoted and escaped so the launcher hands it over unchanged. */
export function quoteExecArgument(arg: string): string {
  if (/[\n\r\0]/.test(arg)) throw new Error('an autostart command argument cannot contain a line break or NUL');
  const percentEscaped = arg.replace(/%/g, '%%');
  if (arg !== '' && !RESERVED.test(arg)) return percentEscaped;
  return `"${percentEscaped.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
}

/** The Exec value: quoted arguments, then the string-value escaping of backslashes. */
export function execLine(command: readonly string[]): string {
  if (command.length === 0) throw new Error('an autostart command needs at least the program');
  return command.map(quoteExecArgument).join(' ').replace(/\\/g, '\\\\');
}

function singleLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

export function autostartEntry(options: XdgAutostartOptions): string {
  const lines = [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${singleLine(options.name)}`,
    `Comment=${singleLine(options.comment)}`,
    `Exec=${execLine(options.command)}`,
    ...(options.icon === null ? [] : [`Icon=${singleLine(options.icon)}`]),
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
  ];
  return `${lines.join('\n')}\n`;
}

/** An entry that exists is active unless it says `Hidden=true` or GNOME's disabled flag. */
export function autostartEntryEnabled(text: string): boolean {
  const keys = new Map<string, string>();
  let inMainGroup = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inMainGroup = line === '[Desktop Entry]';
    else if (inMainGroup && line.includes('=') && !line.startsWith('#')) {
      const at = line.indexOf('=');
      keys.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
    }
  }
  return keys.get('Hidden') !== 'true' && keys.get('X-GNOME-Autostart-enabled') !== 'false';
}

export class XdgAutostart implements AutostartControl {
  readonly #options: XdgAutostartOptions;

  constructor(options: XdgAutostartOptions) {
    this.#options = options;
  }

  get file(): string {
    return path.join(this.#options.configDir, 'autostart', AUTOSTART_FILE_NAME);
  }

  async get(): Promise<AutostartState> {
    try {
      return { supported: true, enabled: autostartEntryEnabled(await readFile(this.file, 'utf8')) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { supported: true, enabled: false };
      throw error;
    }
  }

  async set(enabled: boolean): Promise<AutostartState> {
    if (!enabled) {
      await rm(this.file, { force: true });
      return this.get();
    }
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.${AUTOSTART_FILE_NAME}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, autostartEntry(this.#options), { mode: 0o644, flag: 'wx' });
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return this.get();
  }
}

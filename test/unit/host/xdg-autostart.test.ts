import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autostartEntry, autostartEntryEnabled, execLine, XdgAutostart } from '../../../src/host/xdg-autostart.js';

describe('XDG autostart entry', () => {
  let configDir: string;
  beforeEach(async () => {
    configDir = await mkdtemp(path.join(tmpdir(), 'cluvio-xdg-'));
  });
  afterEach(async () => {
    await rm(configDir, { recursive: true, force: true });
  });

  const options = (dir: string) => ({
    configDir: dir,
    command: ['/home/ana/Apps/Cluvio Agent.AppImage', '--hidden'],
    name: 'Cluvio Agent',
    comment: 'Tunnel from Cluvio to private databases',
    icon: 'cluvio-agent',
  });

  it('is off until enabled, then writes a .desktop file in autostart/ that launches the app hidden', async () => {
    const autostart = new XdgAutostart(options(configDir));
    expect(await autostart.get()).toEqual({ supported: true, enabled: false });
    expect(await autostart.set(true)).toEqual({ supported: true, enabled: true });
    const file = path.join(configDir, 'autostart', 'cluvio-agent.desktop');
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        '[Desktop Entry]',
        'Type=Application',
        'Name=Cluvio Agent',
        'Exec="/home/ana/Apps/Cluvio Agent.AppImage" --hidden',
        'Icon=cluvio-agent',
      ]),
    );
    expect(text.startsWith('[Desktop Entry]\n')).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('disabling removes the entry, and disabling twice is fine', async () => {
    const autostart = new XdgAutostart(options(configDir));
    await autostart.set(true);
    expect(await autostart.set(false)).toEqual({ supported: true, enabled: false });
    expect(await autostart.set(false)).toEqual({ supported: true, enabled: false });
    await expect(stat(path.join(configDir, 'autostart', 'cluvio-agent.desktop'))).rejects.toThrow();
  });

  it('reads an entry the desktop hid (Hidden=true or GNOME disabled) as off', async () => {
    const autostart = new XdgAutostart(options(configDir));
    await autostart.set(true);
    await writeFile(autostart.file, `${autostartEntry(options(configDir))}Hidden=true\n`);
    expect(await autostart.get()).toEqual({ supported: true, enabled: false });
    expect(autostartEntryEnabled('[Desktop Entry]\nX-GNOME-Autostart-enabled=false\n')).toBe(false);
    expect(autostartEntryEnabled('[Desktop Entry]\nExec=x\n[Desktop Action y]\nHidden=true\n')).toBe(true);
  });

  it('quotes and escapes Exec arguments as the Desktop Entry spec requires', () => {
    expect(execLine(['/usr/bin/cluvio-agent'])).toBe('/usr/bin/cluvio-agent');
    expect(execLine(['/opt/My App/run', '--x'])).toBe('"/opt/My App/run" --x');
    // `$` and `"` are escaped inside quotes; `\` is escaped for quoting and again as a string value.
    expect(execLine(['/a$b', 'say "hi"', 'C:\\x'])).toBe('"/a\\\\$b" "say \\\\"hi\\\\"" "C:\\\\\\\\x"');
    expect(execLine(['100%'])).toBe('100%%');
    expect(() => execLine(['a\nb'])).toThrow();
  });
});

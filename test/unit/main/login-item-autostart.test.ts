import { describe, expect, it } from 'vitest';
import { LoginItemAutostart } from '../../../src/main/login-item-autostart.js';
import { createElectronDouble } from './support/electron-double.js';

const appOn = (platform: NodeJS.Platform) => createElectronDouble({ platform, appPath: '/app', userData: '/data' });

describe('LoginItemAutostart: start at login as the OS sees it', () => {
  it('Windows: registers the app to start hidden, and reads the entry as Task Manager shows it', async () => {
    const electron = appOn('win32');
    const autostart = new LoginItemAutostart(electron.app, 'win32');
    expect(await autostart.get()).toEqual({ supported: true, enabled: false });
    expect(await autostart.set(true)).toEqual({ supported: true, enabled: true });
    expect(electron.record.calls).toContain(
      'app.setLoginItemSettings({"openAtLogin":true,"args":["--hidden"],"enabled":true})',
    );
    // Switched off in Task Manager → Startup: the entry is still there (openAtLogin), but will not run.
    electron.disableStartupEntryInTaskManager();
    expect(electron.app.getLoginItemSettings({ args: ['--hidden'] }).openAtLogin).toBe(true);
    expect(await autostart.get()).toEqual({ supported: true, enabled: false });
    // Turning it on again in the app approves it again.
    expect(await autostart.set(true)).toEqual({ supported: true, enabled: true });
    expect(await autostart.set(false)).toEqual({ supported: true, enabled: false });
  });

  it('macOS: a login item, without the arguments macOS would ignore', async () => {
    const electron = appOn('darwin');
    const autostart = new LoginItemAutostart(electron.app, 'darwin');
    expect(await autostart.set(true)).toEqual({ supported: true, enabled: true });
    expect(electron.record.calls).toContain('app.setLoginItemSettings({"openAtLogin":true})');
    expect(await autostart.set(false)).toEqual({ supported: true, enabled: false });
  });
});

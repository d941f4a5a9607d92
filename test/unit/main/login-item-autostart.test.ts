import { describe, expect, it } from 'vitest';
import { LoginItemAutostart, type LoginItemSurface } from '../../../src/main/login-item-autostart.js';

/** Electron's login-item settings as Windows keeps them: one entry per argument list. */
class LoginItems implements LoginItemSurface {
  readonly entries = new Map<string, boolean>();
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean } {
    return { openAtLogin: this.entries.get(JSON.stringify(options?.args ?? [])) ?? false };
  }
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void {
    this.entries.set(JSON.stringify(settings.args ?? []), settings.openAtLogin);
  }
}

describe('LoginItemAutostart (Windows, macOS)', () => {
  it('registers the app to start hidden at login, and unregisters it', async () => {
    const items = new LoginItems();
    const autostart = new LoginItemAutostart(items, ['--hidden']);
    expect(await autostart.get()).toEqual({ supported: true, enabled: false });
    expect(await autostart.set(true)).toEqual({ supported: true, enabled: true });
    expect(items.entries.get('["--hidden"]')).toBe(true);
    expect(await autostart.set(false)).toEqual({ supported: true, enabled: false });
  });
});

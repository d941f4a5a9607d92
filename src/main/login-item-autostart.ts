/**
 * Start at login on Windows and macOS: the OS login items, through Electron's `app` (injected),
 * read back as the OS sees them.
 *
 * - Windows: a Run registry entry passing `--hidden` (login-start.ts). Its state is
 *   `executableWillLaunchAtLogin` (electron.d.ts: "true if app is set to open at login and its
 *   run key is not deactivated"), not `openAtLogin`: an entry the user disabled in Task Manager
 *   or Settings → Apps → Startup still exists, and `openAtLogin` would still say on. Turning it
 *   on passes `enabled: true`, which re-approves an entry the user had disabled (electron.d.ts
 *   `Settings.enabled`).
 * - macOS 13+: an `SMAppService` login item; `openAtLogin` is its status being `enabled`, so an
 *   item waiting for the user's approval in System Settings (`requires-approval`) reads as off.
 *   No arguments: macOS ignores them (login-start.ts says how a login start is recognised there).
 */
import type { AutostartControl } from '../host/autostart-control.js';
import type { AutostartState } from '../shared/agent-api.js';
import { LOGIN_ARGUMENT } from './login-start.js';

export type LoginItemSurface = Pick<Electron.App, 'getLoginItemSettings' | 'setLoginItemSettings'>;

export class LoginItemAutostart implements AutostartControl {
  readonly #app: LoginItemSurface;
  readonly #platform: NodeJS.Platform;

  constructor(app: LoginItemSurface, platform: NodeJS.Platform) {
    this.#app = app;
    this.#platform = platform;
  }

  get(): Promise<AutostartState> {
    if (this.#platform === 'win32') {
      const settings = this.#app.getLoginItemSettings({ args: [LOGIN_ARGUMENT] });
      return Promise.resolve({ supported: true, enabled: settings.executableWillLaunchAtLogin });
    }
    return Promise.resolve({ supported: true, enabled: this.#app.getLoginItemSettings().openAtLogin });
  }

  set(enabled: boolean): Promise<AutostartState> {
    if (this.#platform === 'win32')
      this.#app.setLoginItemSettings({ openAtLogin: enabled, args: [LOGIN_ARGUMENT], enabled });
    else this.#app.setLoginItemSettings({ openAtLogin: enabled });
    return this.get();
  }
}

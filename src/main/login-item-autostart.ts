/** Start at login on Windows and macOS: the OS login items, through Electron's `app` (injected). */
import type { AutostartControl } from '../host/autostart-control.js';
import type { AutostartState } from '../shared/agent-api.js';

export interface LoginItemSurface {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export class LoginItemAutostart implements AutostartControl {
  readonly #app: LoginItemSurface;
  readonly #args: string[];

  /** `args` are passed at login (Windows; macOS ignores them), e.g. `['--hidden']`. */
  constructor(app: LoginItemSurface, args: readonly string[]) {
    this.#app = app;
    this.#args = [...args];
  }

  get(): Promise<AutostartState> {
    // Windows matches the registered entry by its arguments too.
    return Promise.resolve({
      supported: true,
      enabled: this.#app.getLoginItemSettings({ args: this.#args }).openAtLogin,
    });
  }

  set(enabled: boolean): Promise<AutostartState> {
    this.#app.setLoginItemSettings({ openAtLogin: enabled, args: this.#args });
    return this.get();
  }
}

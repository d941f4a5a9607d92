/** Start-at-login, as each platform provides it (XDG autostart file, or Electron's login items). */
import type { AutostartState } from '../shared/agent-api.js';

export interface AutostartControl {
  get(): Promise<AutostartState>;
  set(enabled: boolean): Promise<AutostartState>;
}

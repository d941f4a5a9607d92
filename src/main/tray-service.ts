/**
 * The tray icon: its image and tooltip follow the agent's state; its menu offers the status line,
 * the windows, import, restoring the previous configuration (while a backup exists), start at
 * login, notifications, (on Linux) what the close button does, and quit. Electron's Tray and Menu are injected (as in Signal Desktop's SystemTrayService), so this
 * logic is tested without Electron.
 */
import type { AutostartState, RestorableConfig } from '../shared/agent-api.js';
import type { AgentSnapshot } from '../shared/agent-state.js';
import { agentStatus, type AgentStatus, stateLabel } from '../shared/agent-status.js';

export type TrayMenuItem =
  | { readonly kind: 'status'; readonly label: string }
  | { readonly kind: 'action'; readonly id: TrayAction; readonly label: string }
  | {
      readonly kind: 'checkbox';
      readonly id: TrayToggle;
      readonly label: string;
      readonly checked: boolean;
      readonly enabled: boolean;
    }
  | { readonly kind: 'separator' };

export type TrayAction = 'reconnect-now' | 'open-window' | 'open-logs' | 'import-config' | 'restore-config' | 'quit';
export type TrayToggle = 'autostart' | 'notifications' | 'close-minimizes';

/** The app's own choices the menu shows; `closeMinimizes` null: not offered (only Linux offers it). */
export interface TrayPreferences {
  readonly notifications: boolean;
  readonly closeMinimizes: boolean | null;
}

/** The part of an Electron `Tray` the service uses. */
export interface TrayHandle<Menu> {
  setImage(status: AgentStatus): void;
  setToolTip(text: string): void;
  setContextMenu(menu: Menu): void;
  destroy(): void;
}

export interface TraySurface<Menu> {
  createTray(status: AgentStatus, onClick: () => void): TrayHandle<Menu>;
  buildMenu(
    items: readonly TrayMenuItem[],
    onAction: (id: TrayAction) => void,
    onToggle: (id: TrayToggle, checked: boolean) => void,
  ): Menu;
}

export interface TrayActions {
  /** Ends the wait before the next connection attempt (AgentApi `reconnectNow`). */
  reconnectNow(): void;
  openWindow(): void;
  openLogs(): void;
  importConfig(): void;
  /** Asks, showing what changes, then goes back to the previous configuration. */
  restorePreviousConfig(): void;
  setAutostart(enabled: boolean): void;
  setNotifications(enabled: boolean): void;
  setCloseMinimizes(enabled: boolean): void;
  quit(): void;
}

export const APP_NAME = 'Cluvio Agent';

/** The tooltip and the menu's first line: `Cluvio Agent: Online (gateway.example.com)`. */
export function trayStatusLine(snapshot: AgentSnapshot): string {
  const server = snapshot.config === null ? '' : ` (${snapshot.config.server.host})`;
  return `${APP_NAME}: ${stateLabel(snapshot.state)}${snapshot.state.phase === 'unconfigured' ? '' : server}`;
}

/** "Reconnect now" is offered while the agent waits before its next attempt (after a failure, or while disabled). */
export function offersReconnectNow(snapshot: AgentSnapshot): boolean {
  return snapshot.state.phase === 'backing-off' || snapshot.state.phase === 'disabled';
}

export function trayMenuItems(
  snapshot: AgentSnapshot,
  autostart: AutostartState,
  preferences: TrayPreferences,
  previous: RestorableConfig | null = null,
): TrayMenuItem[] {
  return [
    { kind: 'status', label: trayStatusLine(snapshot) },
    ...(offersReconnectNow(snapshot) ? [{ kind: 'action', id: 'reconnect-now', label: 'Reconnect now' } as const] : []),
    { kind: 'separator' },
    { kind: 'action', id: 'open-window', label: `Open ${APP_NAME}` },
    { kind: 'action', id: 'open-logs', label: 'Logs' },
    { kind: 'action', id: 'import-config', label: 'Import config…' },
    ...(previous === null
      ? []
      : [{ kind: 'action', id: 'restore-config', label: 'Restore previous configuration…' } as const]),
    { kind: 'separator' },
    {
      kind: 'checkbox',
      id: 'autostart',
      label: 'Start at login',
      checked: autostart.enabled,
      enabled: autostart.supported,
    },
    {
      kind: 'checkbox',
      id: 'notifications',
      label: 'Notifications',
      checked: preferences.notifications,
      enabled: true,
    },
    ...(preferences.closeMinimizes === null
      ? []
      : [
          {
            kind: 'checkbox',
            id: 'close-minimizes',
            label: 'Close button minimises the window',
            checked: preferences.closeMinimizes,
            enabled: true,
          } as const,
        ]),
    { kind: 'separator' },
    { kind: 'action', id: 'quit', label: 'Quit' },
  ];
}

export class TrayService<Menu> {
  readonly #surface: TraySurface<Menu>;
  readonly #actions: TrayActions;
  #tray: TrayHandle<Menu> | null = null;
  #snapshot: AgentSnapshot | null = null;
  #autostart: AutostartState = { supported: false, enabled: false };
  #preferences: TrayPreferences;
  #previous: RestorableConfig | null = null;
  #rendered = { status: '', menu: '' };

  constructor(surface: TraySurface<Menu>, actions: TrayActions, preferences: TrayPreferences) {
    this.#surface = surface;
    this.#actions = actions;
    this.#preferences = preferences;
  }

  update(snapshot: AgentSnapshot): void {
    this.#snapshot = snapshot;
    this.#render();
  }

  setAutostart(state: AutostartState): void {
    this.#autostart = state;
    this.#render();
  }

  /** What "Restore previous configuration" would go back to, or null (the item is left out). */
  setRestorable(previous: RestorableConfig | null): void {
    this.#previous = previous;
    this.#render();
  }

  setPreferences(preferences: TrayPreferences): void {
    this.#preferences = preferences;
    this.#render();
  }

  destroy(): void {
    this.#tray?.destroy();
    this.#tray = null;
  }

  #render(): void {
    const snapshot = this.#snapshot;
    if (snapshot === null) return;
    const status = agentStatus(snapshot.state);
    const items = trayMenuItems(snapshot, this.#autostart, this.#preferences, this.#previous);
    let tray = this.#tray;
    if (tray === null) {
      tray = this.#surface.createTray(status, () => {
        this.#actions.openWindow();
      });
      this.#tray = tray;
      this.#rendered.status = status;
    }
    // Snapshots arrive on every counter change; touch the native tray only when it would differ.
    if (status !== this.#rendered.status) {
      tray.setImage(status);
      this.#rendered.status = status;
    }
    const menuKey = JSON.stringify(items);
    if (menuKey !== this.#rendered.menu) {
      tray.setToolTip(trayStatusLine(snapshot));
      tray.setContextMenu(
        this.#surface.buildMenu(
          items,
          (id) => {
            this.#run(id);
          },
          (id, checked) => {
            this.#toggle(id, checked);
          },
        ),
      );
      this.#rendered.menu = menuKey;
    }
  }

  #toggle(id: TrayToggle, checked: boolean): void {
    switch (id) {
      case 'autostart':
        this.#actions.setAutostart(checked);
        return;
      case 'notifications':
        this.#actions.setNotifications(checked);
        return;
      case 'close-minimizes':
        this.#actions.setCloseMinimizes(checked);
        return;
    }
  }

  #run(id: TrayAction): void {
    switch (id) {
      case 'reconnect-now':
        this.#actions.reconnectNow();
        return;
      case 'open-window':
        this.#actions.openWindow();
        return;
      case 'open-logs':
        this.#actions.openLogs();
        return;
      case 'import-config':
        this.#actions.importConfig();
        return;
      case 'restore-config':
        this.#actions.restorePreviousConfig();
        return;
      case 'quit':
        this.#actions.quit();
        return;
    }
  }
}

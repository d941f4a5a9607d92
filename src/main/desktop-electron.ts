/**
 * The part of Electron's main-process API the app uses, as types picked from Electron's own
 * typings (node_modules/electron/electron.d.ts), and what the composition root knows about the
 * process it runs in. main.ts takes both as arguments: Electron passes its real module, the
 * tests a recording double that implements these same picks, so the double cannot drift from
 * Electron's signatures without `npm run typecheck` failing.
 *
 * Two types are parameters instead of picks, because their Electron classes are large and
 * opaque to the app: the native image and the menu. The app only creates them and hands them
 * back to Electron.
 */
import type { LogLevel, LogRecord } from '../shared/log-record.js';

/** What the app does with a native image: mark it as a macOS template image, check it loaded. */
export type DesktopImage = Pick<Electron.NativeImage, 'setTemplateImage' | 'isEmpty'>;

export type DesktopApp = Pick<
  Electron.App,
  | 'on'
  | 'whenReady'
  | 'quit'
  | 'exit'
  | 'requestSingleInstanceLock'
  | 'setName'
  | 'getAppPath'
  | 'getPath'
  | 'getVersion'
  | 'getLoginItemSettings'
  | 'setLoginItemSettings'
  | 'setAppUserModelId'
  | 'setAboutPanelOptions'
  | 'isPackaged'
> & {
  /** macOS only (`undefined` elsewhere, electron.d.ts `App.dock`). */
  readonly dock: Pick<Electron.Dock, 'show' | 'hide'> | undefined;
};

export type DesktopWebContents = Pick<Electron.WebContents, 'id' | 'on' | 'setWindowOpenHandler'>;

export type DesktopBrowserWindow = Pick<
  Electron.BrowserWindow,
  | 'on'
  | 'once'
  | 'show'
  | 'hide'
  | 'focus'
  | 'restore'
  | 'minimize'
  | 'isMinimized'
  | 'isDestroyed'
  | 'isVisible'
  | 'loadURL'
> & { readonly webContents: DesktopWebContents };

export interface DesktopTray<Image, Menu> extends Pick<Electron.Tray, 'on' | 'setToolTip' | 'destroy'> {
  setImage(image: Image): void;
  setContextMenu(menu: Menu | null): void;
}

export type DesktopNotification = Pick<Electron.Notification, 'on' | 'show' | 'close'>;

export interface DesktopElectron<Image extends DesktopImage = Electron.NativeImage, Menu = Electron.Menu> {
  readonly app: DesktopApp;
  readonly BrowserWindow: new (options: Electron.BrowserWindowConstructorOptions) => DesktopBrowserWindow;
  readonly Menu: {
    buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): Menu;
    setApplicationMenu(menu: Menu | null): void;
  };
  readonly Tray: new (image: Image, guid?: string) => DesktopTray<Image, Menu>;
  readonly Notification: Pick<typeof Electron.Notification, 'isSupported' | 'handleActivation'> &
    (new (options?: Electron.NotificationConstructorOptions) => DesktopNotification);
  readonly nativeImage: { createFromPath(path: string): Image };
  readonly nativeTheme: Pick<Electron.NativeTheme, 'shouldUseDarkColors'>;
  readonly dialog: Pick<Electron.Dialog, 'showMessageBox' | 'showOpenDialog' | 'showErrorBox'>;
  readonly ipcMain: Pick<Electron.IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;
  readonly powerMonitor: Pick<Electron.PowerMonitor, 'on' | 'removeListener'>;
  readonly protocol: Pick<Electron.Protocol, 'registerSchemesAsPrivileged' | 'handle'>;
  readonly session: { readonly defaultSession: Pick<Electron.Session, 'setPermissionRequestHandler'> };
  readonly shell: Pick<Electron.Shell, 'openPath' | 'showItemInFolder'>;
}

/** The log file (electron-log's file transport in the app). */
export interface LogFile {
  readonly path: string;
  write(record: LogRecord): void;
}

/** A timer the composition root started; the tests run them by hand. */
export interface TimerHandle {
  cancel(): void;
}

export interface DesktopClock {
  now(): number;
  /** Runs `task` once after `ms`. */
  setTimeout(task: () => void, ms: number): TimerHandle;
  /** Runs `task` every `ms` without keeping the process alive for it. */
  setInterval(task: () => void, ms: number): TimerHandle;
}

/** What the composition root knows of the process it runs in. */
export interface DesktopProcess {
  readonly platform: NodeJS.Platform;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly execPath: string;
  readonly electronVersion: string;
  readonly openLogFile: (threshold: LogLevel) => LogFile;
  readonly clock: DesktopClock;
}

/** Real timers (the app's intervals never keep it alive: Electron's own loop does). */
export const systemClock: DesktopClock = {
  now: () => Date.now(),
  setTimeout: (task, ms) => {
    const timer = setTimeout(task, ms);
    return { cancel: () => clearTimeout(timer) };
  },
  setInterval: (task, ms) => {
    const timer = setInterval(task, ms).unref();
    return { cancel: () => clearInterval(timer) };
  },
};

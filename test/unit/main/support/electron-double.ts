/**
 * A recording double of Electron's main-process API as the app uses it
 * (src/main/desktop-electron.ts), for running the composition root (src/main/main.ts) where
 * Electron's binary cannot be downloaded.
 *
 * Typed from Electron: every class implements the `Pick<Electron.X, …>` the app's types name, so
 * a signature that changes in node_modules/electron/electron.d.ts fails `npm run typecheck` here.
 * The only liberties are return values nobody reads (`on()` returns Electron's `this`; the double
 * returns itself, cast) and the menu item handed to a `click` (only `checked` is read).
 *
 * Every behaviour it encodes names its source in a bracketed comment (`// [quit]`): a line of electron.d.ts or a
 * documentation page, listed in electron-citations.ts and checked there. It plays the OS as a
 * test directs: ready, a launch at login, a second launch with a file, 'open-file' before ready,
 * clicks on the tray, its menu and notifications, a window's page finishing rendering, the user
 * closing a window, the session ending.
 */
import { existsSync, readFileSync } from 'node:fs';
import type {
  DesktopApp,
  DesktopBrowserWindow,
  DesktopElectron,
  DesktopImage,
  DesktopNotification,
  DesktopTray,
  DesktopWebContents,
} from '../../../../src/main/desktop-electron.js';

type Listener = (...args: never[]) => unknown;
type Call = (...args: unknown[]) => unknown;

/** Listeners by event name, in registration order, `once` ones removed when they run. */
class Listeners {
  readonly #map = new Map<string, { readonly listener: Listener; readonly once: boolean }[]>();

  add(event: string, listener: Listener, once = false): void {
    this.#map.set(event, [...(this.#map.get(event) ?? []), { listener, once }]);
  }

  remove(event: string, listener: Listener): void {
    this.#map.set(
      event,
      (this.#map.get(event) ?? []).filter((entry) => entry.listener !== listener),
    );
  }

  count(event: string): number {
    return this.#map.get(event)?.length ?? 0;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const entry of [...(this.#map.get(event) ?? [])]) {
      if (entry.once) this.remove(event, entry.listener);
      (entry.listener as unknown as Call)(...args);
    }
  }
}

/** An Electron `Event` (electron.d.ts `type Event`): `preventDefault()` and `defaultPrevented`. */
export function electronEvent(): Electron.Event {
  let prevented = false;
  return {
    preventDefault: () => {
      prevented = true;
    },
    get defaultPrevented() {
      return prevented;
    },
  };
}

export class ImageDouble implements DesktopImage {
  template = false;
  readonly #empty: boolean;

  constructor(readonly path: string) {
    // [createFromPathEmpty] an empty image when the file is missing or not an image (PNG or ICO here).
    let empty = true;
    if (existsSync(path)) {
      const head = readFileSync(path).subarray(0, 4);
      empty = !(head.toString('latin1', 1, 4) === 'PNG' || head.equals(Buffer.from([0, 0, 1, 0])));
    }
    this.#empty = empty;
  }

  setTemplateImage(option: boolean): void {
    this.template = option;
  }

  isEmpty(): boolean {
    return this.#empty;
  }
}

export class MenuDouble {
  constructor(readonly template: Electron.MenuItemConstructorOptions[]) {}

  /** Every label and role, depth first (for "what does this menu offer"). */
  entries(): string[] {
    const walk = (items: readonly Electron.MenuItemConstructorOptions[]): string[] =>
      items.flatMap((item) => [
        ...(item.role === undefined ? [] : [`role:${item.role}`]),
        ...(item.label === undefined ? [] : [item.label]),
        ...(Array.isArray(item.submenu) ? walk(item.submenu) : []),
      ]);
    return walk(this.template);
  }

  item(label: string): Electron.MenuItemConstructorOptions {
    const found = this.template.find((item) => item.label === label);
    if (found === undefined) throw new Error(`no menu item "${label}" in ${JSON.stringify(this.entries())}`);
    return found;
  }

  /** The user picks the item labelled `label`. */
  click(label: string): void {
    const item = this.item(label);
    if (item.enabled === false) throw new Error(`"${label}" is disabled`);
    // [checkboxToggles] a checkbox's `checked` flips before its click handler runs.
    const checked = item.type === 'checkbox' ? !(item.checked ?? false) : (item.checked ?? false);
    item.click?.({ checked } as unknown as Electron.MenuItem, undefined, {});
  }
}

export interface ElectronDoubleOptions {
  readonly platform: NodeJS.Platform;
  /** app.getAppPath(): where dist/ and build/ are. */
  readonly appPath: string;
  /** app.getPath('userData'). */
  readonly userData: string;
  readonly isPackaged?: boolean;
  /** False: another instance holds the lock. */
  readonly primary?: boolean;
  /** macOS: the OS launched the app as a login item (what `wasOpenedAtLogin` reports). */
  readonly launchedAsLoginItem?: boolean;
  readonly notificationsSupported?: boolean;
  /** Windows render their page (emit 'ready-to-show') only when the test says so. */
  readonly manualRendering?: boolean;
  /** The time, for the Dock's one-second rule (the test's clock). */
  readonly now?: () => number;
}

/** What the double recorded; tests read it. */
export interface ElectronRecord {
  readonly calls: string[];
  readonly windows: BrowserWindowDoubleLike[];
  readonly trays: TrayDoubleLike[];
  readonly notifications: NotificationDoubleLike[];
  readonly dialogs: Electron.MessageBoxOptions[];
  /** The buttons the user clicks in the next message boxes, in order (index into `buttons`; default 0). */
  readonly messageBoxResponses: number[];
  readonly errorBoxes: string[];
  applicationMenu: MenuDouble | null | undefined;
  openDialogResult: Electron.OpenDialogReturnValue;
  exitCode: number | null;
  appUserModelId: string | null;
  permissionHandler: Parameters<Electron.Session['setPermissionRequestHandler']>[0];
  protocolHandlers: Map<string, (request: Request) => Response | Promise<Response>>;
  privilegedSchemes: Electron.CustomScheme[];
  ipcHandlers: Set<string>;
  activationHandler: ((details: Electron.ActivationArguments) => void) | null;
}

export interface BrowserWindowDoubleLike {
  readonly options: Electron.BrowserWindowConstructorOptions;
  readonly url: string | null;
  readonly visible: boolean;
  readonly minimized: boolean;
  readonly destroyed: boolean;
  readonly shownCount: number;
  /** The page finished rendering (Electron emits 'ready-to-show'). */
  render(): void;
  /** The user clicks the window's close button. */
  userCloses(): void;
}

export interface TrayDoubleLike {
  readonly image: ImageDouble;
  readonly images: ImageDouble[];
  readonly tooltip: string;
  readonly menu: MenuDouble | null;
  readonly destroyed: boolean;
  click(): void;
}

export interface NotificationDoubleLike {
  readonly options: Electron.NotificationConstructorOptions;
  readonly shown: boolean;
  click(): void;
}

export type ElectronDouble = DesktopElectron<ImageDouble, MenuDouble> & {
  readonly record: ElectronRecord;
  readonly app: AppDouble;
  /** Electron finished initialising: 'ready', and `whenReady()` resolves. */
  becomeReady(): void;
  /** macOS: the app is launched again from Finder or Spotlight, or its Dock icon clicked. */
  reopen(): void;
  /** macOS: Finder or the Dock asks the app to open `file` ("Open With", a drop on the Dock icon). */
  openFile(file: string): Electron.Event;
  /** Another launch of the app (Windows/Linux "Open with", the user starting it again). */
  secondInstance(argv: string[], workingDirectory: string): void;
  /** powerMonitor 'shutdown': the session is ending (macOS logout/shutdown, Linux shutdown). */
  sessionEnds(): void;
  /** Windows: the user switches the app's entry off in Task Manager → Startup. */
  disableStartupEntryInTaskManager(): void;
  /** The windows still open (not destroyed). */
  openWindows(): BrowserWindowDoubleLike[];
};

export type AppDouble = DesktopApp & {
  readonly ready: boolean;
  readonly quitting: boolean;
  readonly dockCalls: string[];
  listenerCount(event: string): number;
};

export function createElectronDouble(options: ElectronDoubleOptions): ElectronDouble {
  const platform = options.platform;
  const record: ElectronRecord = {
    calls: [],
    windows: [],
    trays: [],
    notifications: [],
    dialogs: [],
    messageBoxResponses: [],
    errorBoxes: [],
    applicationMenu: undefined,
    openDialogResult: { canceled: true, filePaths: [] },
    exitCode: null,
    appUserModelId: null,
    permissionHandler: null,
    protocolHandlers: new Map(),
    privilegedSchemes: [],
    ipcHandlers: new Set(),
    activationHandler: null,
  };
  const appEvents = new Listeners();
  let ready = false;
  let quitting = false;
  let resolveReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  let schemesRegistered = false;
  const requireReady = (what: string, source: string): void => {
    if (!ready) throw new Error(`${what} before the app is ready (${source})`);
  };
  const openWindows: BrowserWindowDouble[] = [];

  // ---- login items: Windows keeps a Run entry (with its arguments) and a Task Manager approval;
  // macOS keeps an SMAppService login item; Linux has neither.
  let runEntry: { args: string[]; approved: boolean } | null = null;
  let macLoginItem: 'not-registered' | 'enabled' = 'not-registered';
  const loginItemsOnly = (): void => {
    // [loginItemPlatforms] [loginItemGetter] getLoginItemSettings/setLoginItemSettings exist on
    // macOS and Windows only.
    if (platform !== 'darwin' && platform !== 'win32')
      throw new Error(`app.getLoginItemSettings/setLoginItemSettings is not available on ${platform}`);
  };

  class DockDouble implements Pick<Electron.Dock, 'show' | 'hide'> {
    readonly calls: string[] = [];
    visible = false;
    #last = Number.NEGATIVE_INFINITY;

    constructor(readonly now: () => number) {}

    show(): Promise<void> {
      this.calls.push('show');
      this.visible = true;
      this.#last = this.now();
      // [dockShow] resolves once the icon is shown.
      return Promise.resolve();
    }

    hide(): void {
      // [dockHideKnownIssue] a hide within one second of the previous call has no effect.
      if (this.now() - this.#last < 1_000) {
        this.calls.push('hide (ignored: within 1 s)');
        return;
      }
      this.calls.push('hide');
      this.visible = false;
      this.#last = this.now();
    }
  }

  // [dockMacOnly]
  const dock = platform === 'darwin' ? new DockDouble(options.now ?? Date.now) : undefined;

  const quitApp = (): void => {
    // [quit] before-quit first, which can stop the quit [beforeQuit]; then every window is closed
    // (a window may cancel); then will-quit, after which the app terminates unless prevented too.
    const beforeQuit = electronEvent();
    appEvents.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    quitting = true;
    for (const window of [...openWindows]) {
      window.closeForQuit();
      if (!window.destroyed) {
        quitting = false;
        return;
      }
    }
    const willQuit = electronEvent();
    appEvents.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) {
      quitting = false;
      return;
    }
    appEvents.emit('quit', electronEvent(), 0);
    record.exitCode = 0;
    record.calls.push('terminated');
  };

  const app: AppDouble = {
    get ready() {
      return ready;
    },
    get quitting() {
      return quitting;
    },
    get dockCalls() {
      return dock?.calls ?? [];
    },
    isPackaged: options.isPackaged ?? true,
    dock,
    listenerCount: (event) => appEvents.count(event),
    on(event: string, listener: Listener): Electron.App {
      appEvents.add(event, listener);
      return app as unknown as Electron.App;
    },
    whenReady(): Promise<void> {
      // [whenReady] resolves once Electron is initialised.
      return readyPromise;
    },
    quit(): void {
      record.calls.push('app.quit');
      quitApp();
    },
    exit(exitCode = 0): void {
      // [exit] immediately, without 'before-quit' or 'will-quit'.
      record.calls.push(`app.exit(${exitCode})`);
      record.exitCode = exitCode;
    },
    requestSingleInstanceLock(): boolean {
      // [singleInstanceLock] false in a second instance, whose arguments go to the first one.
      return options.primary ?? true;
    },
    setName(name: string): void {
      record.calls.push(`app.setName(${name})`);
    },
    getAppPath: () => options.appPath,
    getPath: (name: string) => {
      if (name !== 'userData') throw new Error(`the double knows only userData, not ${name}`);
      return options.userData;
    },
    getVersion: () => '0.1.0',
    getLoginItemSettings(settings?: Electron.LoginItemSettingsOptions): Electron.LoginItemSettings {
      loginItemsOnly();
      const args = settings?.args ?? [];
      return {
        // [loginItemSameArgs] Windows: on only for the arguments it was set with.
        openAtLogin:
          platform === 'win32'
            ? runEntry !== null && JSON.stringify(runEntry.args) === JSON.stringify(args)
            : macLoginItem === 'enabled',
        // [wasOpenedAtLogin] macOS only.
        wasOpenedAtLogin: platform === 'darwin' && (options.launchedAsLoginItem ?? false),
        status: macLoginItem,
        // [loginItemRunKey] Windows: any arguments, and not switched off in Task Manager.
        executableWillLaunchAtLogin: platform === 'win32' && runEntry !== null && runEntry.approved,
        launchItems:
          platform === 'win32' && runEntry !== null
            ? [
                {
                  name: 'com.cluvio.agent',
                  path: 'C:\\app.exe',
                  args: runEntry.args,
                  scope: 'user',
                  enabled: runEntry.approved,
                },
              ]
            : [],
      };
    },
    setLoginItemSettings(settings: Electron.Settings): void {
      loginItemsOnly();
      record.calls.push(`app.setLoginItemSettings(${JSON.stringify(settings)})`);
      if (platform === 'win32') {
        // [loginItemArgsWindowsOnly] [loginItemEnabled] approval follows `enabled` (default true).
        runEntry =
          settings.openAtLogin === true ? { args: settings.args ?? [], approved: settings.enabled ?? true } : null;
      } else {
        macLoginItem = settings.openAtLogin === true ? 'enabled' : 'not-registered';
      }
    },
    setAppUserModelId(id: string): void {
      // [appUserModelId]
      record.appUserModelId = id;
    },
    setAboutPanelOptions(about: Electron.AboutPanelOptionsOptions): void {
      record.calls.push(`app.setAboutPanelOptions(${about.applicationName ?? ''})`);
    },
  };

  class WebContentsDouble implements DesktopWebContents {
    static #next = 1;
    readonly id = WebContentsDouble.#next++;
    readonly events = new Listeners();
    windowOpenHandler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0] | null = null;

    on(event: string, listener: Listener): Electron.WebContents {
      this.events.add(event, listener);
      return this as unknown as Electron.WebContents;
    }

    setWindowOpenHandler(handler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0]): void {
      this.windowOpenHandler = handler;
    }
  }

  class BrowserWindowDouble implements DesktopBrowserWindow, BrowserWindowDoubleLike {
    readonly webContents = new WebContentsDouble();
    readonly events = new Listeners();
    url: string | null = null;
    visible: boolean;
    minimized = false;
    destroyed = false;
    shownCount = 0;
    #rendered = false;

    constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
      // [browserWindowAfterReady]
      requireReady('new BrowserWindow()', 'browserWindowAfterReady');
      // [showDefault] shown at once unless `show: false`.
      this.visible = options.show ?? true;
      if (this.visible) this.shownCount += 1;
      record.windows.push(this);
      openWindows.push(this);
    }

    on(event: string, listener: Listener): Electron.BrowserWindow {
      this.events.add(event, listener);
      return this as unknown as Electron.BrowserWindow;
    }

    once(event: string, listener: Listener): Electron.BrowserWindow {
      this.events.add(event, listener, true);
      return this as unknown as Electron.BrowserWindow;
    }

    loadURL(url: string): Promise<void> {
      this.url = url;
      if (!(options.manualRendering ?? false)) queueMicrotask(() => this.render());
      return Promise.resolve();
    }

    render(): void {
      if (this.#rendered || this.destroyed) return;
      this.#rendered = true;
      // [readyToShow] the page has rendered while hidden: it can be shown without a flash.
      if (!this.visible) this.events.emit('ready-to-show');
    }

    show(): void {
      if (this.destroyed) throw new Error('Object has been destroyed');
      this.visible = true;
      this.minimized = false;
      this.shownCount += 1;
    }

    hide(): void {
      this.visible = false;
    }

    focus(): void {
      record.calls.push('window.focus');
    }

    restore(): void {
      this.minimized = false;
    }

    minimize(): void {
      this.minimized = true;
    }

    isMinimized(): boolean {
      return this.minimized;
    }

    isDestroyed(): boolean {
      return this.destroyed;
    }

    isVisible(): boolean {
      return this.visible;
    }

    userCloses(): void {
      // [windowClose] as if the user clicked the close button: 'close' may be cancelled.
      const event = electronEvent();
      this.events.emit('close', event);
      if (event.defaultPrevented) return;
      this.#destroy();
      // [windowAllClosedDefault] without a 'window-all-closed' listener the app quits.
      if (openWindows.length === 0) {
        if (appEvents.count('window-all-closed') > 0) appEvents.emit('window-all-closed');
        else quitApp();
      }
    }

    /** Part of `app.quit()`: the same 'close', without 'window-all-closed'. */
    closeForQuit(): void {
      const event = electronEvent();
      this.events.emit('close', event);
      if (!event.defaultPrevented) this.#destroy();
    }

    #destroy(): void {
      this.destroyed = true;
      this.visible = false;
      openWindows.splice(openWindows.indexOf(this), 1);
      // [windowClosed]
      this.events.emit('closed');
    }
  }

  class TrayDouble implements DesktopTray<ImageDouble, MenuDouble>, TrayDoubleLike {
    readonly events = new Listeners();
    readonly images: ImageDouble[] = [];
    tooltip = '';
    menu: MenuDouble | null = null;
    destroyed = false;

    constructor(
      image: ImageDouble,
      readonly guid?: string,
    ) {
      requireReady('new Tray()', 'browserWindowAfterReady');
      this.images.push(image);
      record.trays.push(this);
    }

    get image(): ImageDouble {
      const last = this.images.at(-1);
      if (last === undefined) throw new Error('a tray without an image');
      return last;
    }

    on(event: string, listener: Listener): Electron.Tray {
      this.events.add(event, listener);
      return this as unknown as Electron.Tray;
    }

    setImage(image: ImageDouble): void {
      this.images.push(image);
    }

    setToolTip(toolTip: string): void {
      this.tooltip = toolTip;
    }

    setContextMenu(menu: MenuDouble | null): void {
      this.menu = menu;
    }

    destroy(): void {
      this.destroyed = true;
    }

    click(): void {
      // [trayClick] [trayClickLinux] on Linux only where the panel sends an activation.
      const keyboard: Electron.KeyboardEvent = {};
      this.events.emit('click', keyboard, { x: 0, y: 0, width: 16, height: 16 }, { x: 0, y: 0 });
    }
  }

  class NotificationDouble implements DesktopNotification, NotificationDoubleLike {
    readonly events = new Listeners();
    shown = false;

    constructor(readonly options: Electron.NotificationConstructorOptions = {}) {}

    static isSupported(): boolean {
      // [notificationSupported]
      return options.notificationsSupported ?? true;
    }

    static handleActivation(callback: (details: Electron.ActivationArguments) => void): void {
      // [notificationActivation] Windows: every activation, whether or not the object still exists.
      record.activationHandler = callback;
    }

    on(event: string, listener: Listener): Electron.Notification {
      this.events.add(event, listener);
      return this as unknown as Electron.Notification;
    }

    show(): void {
      this.shown = true;
      record.notifications.push(this);
    }

    close(): void {
      this.events.emit('close', electronEvent());
    }

    click(): void {
      // [notificationClick]
      this.events.emit('click', electronEvent());
      // [notificationActivation] Windows: also the activation callback, "in addition to instance events".
      if (platform === 'win32') record.activationHandler?.({ type: 'click', arguments: '' });
    }
  }

  const powerEvents = new Listeners();

  const double: ElectronDouble = {
    record,
    app,
    BrowserWindow: BrowserWindowDouble,
    Menu: {
      buildFromTemplate: (template) => new MenuDouble(template),
      setApplicationMenu: (menu) => {
        record.applicationMenu = menu;
      },
    },
    Tray: TrayDouble,
    Notification: NotificationDouble,
    nativeImage: { createFromPath: (path) => new ImageDouble(path) },
    nativeTheme: { shouldUseDarkColors: false },
    dialog: {
      showMessageBox(
        first: Electron.BaseWindow | Electron.MessageBoxOptions,
        second?: Electron.MessageBoxOptions,
      ): Promise<Electron.MessageBoxReturnValue> {
        const messageBox = second ?? (first as Electron.MessageBoxOptions);
        record.dialogs.push(messageBox);
        return Promise.resolve({ response: record.messageBoxResponses.shift() ?? 0, checkboxChecked: false });
      },
      showOpenDialog(): Promise<Electron.OpenDialogReturnValue> {
        return Promise.resolve(record.openDialogResult);
      },
      showErrorBox(title: string, content: string): void {
        record.errorBoxes.push(`${title}: ${content}`);
      },
    },
    ipcMain: {
      handle(channel: string): void {
        record.ipcHandlers.add(channel);
      },
      removeHandler(channel: string): void {
        record.ipcHandlers.delete(channel);
      },
      on(): Electron.IpcMain {
        return double.ipcMain as unknown as Electron.IpcMain;
      },
      removeListener(): Electron.IpcMain {
        return double.ipcMain as unknown as Electron.IpcMain;
      },
    },
    powerMonitor: {
      on(event: string, listener: Listener): Electron.PowerMonitor {
        powerEvents.add(event, listener);
        return double.powerMonitor as unknown as Electron.PowerMonitor;
      },
      removeListener(event: string, listener: Listener): Electron.PowerMonitor {
        powerEvents.remove(event, listener);
        return double.powerMonitor as unknown as Electron.PowerMonitor;
      },
    },
    protocol: {
      registerSchemesAsPrivileged(customSchemes: Electron.CustomScheme[]): void {
        // [registerSchemesBeforeReady] before 'ready', once.
        if (ready || schemesRegistered)
          throw new Error('registerSchemesAsPrivileged: only before ready, and only once (registerSchemesBeforeReady)');
        schemesRegistered = true;
        record.privilegedSchemes.push(...customSchemes);
      },
      handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
        requireReady('protocol.handle', 'protocolAfterReady');
        record.protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler(handler: Parameters<Electron.Session['setPermissionRequestHandler']>[0]): void {
          record.permissionHandler = handler;
        },
      },
    },
    shell: {
      openPath: () => Promise.resolve(''),
      showItemInFolder: (fullPath: string) => {
        record.calls.push(`shell.showItemInFolder(${fullPath})`);
      },
    },
    becomeReady(): void {
      ready = true;
      appEvents.emit('ready', electronEvent(), {});
      resolveReady();
      // [activate] macOS may report the first launch as an activation too.
      if (platform === 'darwin') appEvents.emit('activate', electronEvent(), false);
    },
    reopen(): void {
      // [activate] launched again from Finder, or the Dock icon clicked.
      appEvents.emit(
        'activate',
        electronEvent(),
        openWindows.some((window) => window.visible),
      );
    },
    openFile(file: string): Electron.Event {
      // [openFileEarly] also before 'ready'; [openFilePreventDefault] handled when prevented.
      const event = electronEvent();
      appEvents.emit('open-file', event, file);
      return event;
    },
    secondInstance(argv: string[], workingDirectory: string): void {
      // [secondInstanceAfterReady] [secondInstanceArgv]
      requireReady("'second-instance'", 'secondInstanceAfterReady');
      appEvents.emit('second-instance', electronEvent(), argv, workingDirectory, {});
    },
    sessionEnds(): void {
      // [powerShutdown] macOS and Linux; on Windows Electron sends no 'before-quit' at all
      // [beforeQuitNotOnWindowsSessionEnd].
      powerEvents.emit('shutdown');
      if (platform !== 'win32') quitApp();
    },
    disableStartupEntryInTaskManager(): void {
      if (runEntry !== null) runEntry.approved = false;
    },
    openWindows: () => [...openWindows],
  };
  return double;
}

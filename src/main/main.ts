/**
 * The Electron main process: a thin composition root. It holds the single-instance lock, runs the
 * agent through the Electron-free host (src/host), and wires the host to the tray, the windows,
 * notifications, IPC, the log file and start-at-login. Everything with logic lives in its own
 * tested module.
 *
 * `startDesktopApp` takes Electron's module and the process's facts as arguments; the last lines
 * pass the real ones when Electron runs this file, and test/unit/main/main.test.ts passes a
 * recording double of the same Electron API (desktop-electron.ts).
 */
import path from 'node:path';
import os from 'node:os';
import { FileAppSettings } from '../host/app-settings.js';
import type { AutostartControl } from '../host/autostart-control.js';
import { NetworkChangeDetector } from '../host/network-change-detector.js';
import { createTunnelAgentHost } from '../host/tunnel-agent-host.js';
import { XdgAutostart } from '../host/xdg-autostart.js';
import { proxyFromEnvironment } from '../tunnel/agent/index.js';
import { tuneHeapForRelaying } from '../tunnel/mux/index.js';
import { macApplicationMenu } from './app-menu.js';
import { APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.js';
import { ConfigFileArrivals, importArrivedFile } from './config-file-arrival.js';
import { configFileArgument } from './config-file-argument.js';
import {
  type DesktopElectron,
  type DesktopImage,
  type DesktopProcess,
  type LogFile,
  systemClock,
  type TimerHandle,
} from './desktop-electron.js';
import { DockVisibility } from './dock-visibility.js';
import { createBrowserWindowFactory, electronTraySurface } from './electron-surfaces.js';
import { GracefulQuit } from './graceful-quit.js';
import { confirmationMessage, type ImportMessage, problemsMessage, restoreMessage } from './import-config-file.js';
import { createSenderPolicy, registerAgentIpc } from './ipc-handlers.js';
import { LoginItemAutostart } from './login-item-autostart.js';
import { LOGIN_ARGUMENT, startedAtLogin } from './login-start.js';
import { NativeNotifier } from './native-notifications.js';
import { NOTICE_CHECK_INTERVAL_MS, NotificationPolicy } from './notification-policy.js';
import { watchPowerEvents } from './power-events.js';
import { APP_NAME, TrayService } from './tray-service.js';
import { WindowManager } from './windows.js';

const MAIN_MODULE = 'cluvio_agent_desktop::main';

/**
 * Windows: the AppUserModelId, which notifications and taskbar grouping go by. It is
 * electron-builder's `appId`, which the NSIS installer writes into the Start menu shortcut.
 */
export const APP_USER_MODEL_ID = 'com.cluvio.agent';

export interface DesktopAppOptions {
  /** Creates the agent host (default: the tunnel host); tests wrap the real one. */
  readonly createHost?: typeof createTunnelAgentHost;
}

export interface DesktopAppHandle {
  /** False when another instance already ran: this one handed over its arguments and quits. */
  readonly primary: boolean;
  /** Resolves once the agent runs and the UI is up (rejects if it could not start). */
  readonly started: Promise<void>;
}

function xdgConfigHome(proc: DesktopProcess): string {
  const xdg = proc.env.XDG_CONFIG_HOME;
  return xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(proc.homeDir, '.config');
}

export function startDesktopApp<Image extends DesktopImage, Menu>(
  electron: DesktopElectron<Image, Menu>,
  proc: DesktopProcess,
  options: DesktopAppOptions = {},
): DesktopAppHandle {
  const { app, dialog } = electron;
  // The name the OS shows and the data and log folders use (not package.json's npm name); set
  // before the lock, which is held per data folder.
  app.setName(APP_NAME);
  if (!app.requestSingleInstanceLock()) {
    // The running instance gets 'second-instance' with our arguments and shows itself.
    app.quit();
    return { primary: false, started: Promise.resolve() };
  }
  // Before `ready`: the renderer's scheme must be privileged to behave like https.
  electron.protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  // Until the windows exist, a request to show the main window is kept.
  let windows: WindowManager | null = null;
  let showMainWhenReady = false;
  const showMain = (): void => {
    if (windows === null) showMainWhenReady = true;
    else windows.show('main');
  };

  let importFile: (file: string, origin: Parameters<typeof importArrivedFile>[2]) => Promise<void> = () =>
    Promise.reject(new Error('the agent is not ready'));
  let logProblem: (message: string, fields: Readonly<Record<string, string>>) => void = () => undefined;
  const arrivals = new ConfigFileArrivals(
    (file, origin) => importFile(file, origin),
    (file, error) => {
      logProblem('opening a file failed', { file, error: error instanceof Error ? error.message : String(error) });
    },
  );
  // macOS sends 'open-file' for "Open With" and Dock drops, also before 'ready' when the file
  // launched the app (electron.d.ts App 'open-file'): listen at once.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    arrivals.receive(file, 'open-file');
  });
  // Another launch (a second instance, Windows and Linux "Open with"): its file, else the window.
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = configFileArgument(argv, workingDirectory);
    if (file === null) showMain();
    else arrivals.receive(file, 'second-instance');
  });
  // macOS: launched again from Finder or Spotlight (macOS keeps one instance itself), or the Dock
  // icon clicked. Electron may also emit it for the first launch (electron.d.ts App 'activate'):
  // until the launch has decided whether to show the window, it decides.
  let launched = false;
  app.on('activate', () => {
    if (launched) showMain();
  });

  const started = run(electron, proc, options, {
    arrivals,
    setWindows: (created) => {
      windows = created;
      if (showMainWhenReady) created.show('main');
    },
    setImportFile: (handler) => {
      importFile = handler;
    },
    setLogProblem: (handler) => {
      logProblem = handler;
    },
    launched: () => {
      launched = true;
    },
  });
  started.catch((error: unknown) => {
    dialog.showErrorBox(
      APP_NAME,
      `The agent could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    app.exit(1);
  });
  return { primary: true, started };
}

interface EarlyWiring {
  readonly arrivals: ConfigFileArrivals;
  readonly setWindows: (windows: WindowManager) => void;
  readonly setImportFile: (
    handler: (file: string, origin: Parameters<typeof importArrivedFile>[2]) => Promise<void>,
  ) => void;
  readonly setLogProblem: (handler: (message: string, fields: Readonly<Record<string, string>>) => void) => void;
  /** The launch has decided about the window: from now on an activation shows it. */
  readonly launched: () => void;
}

async function run<Image extends DesktopImage, Menu>(
  electron: DesktopElectron<Image, Menu>,
  proc: DesktopProcess,
  options: DesktopAppOptions,
  early: EarlyWiring,
): Promise<void> {
  const { app, dialog, shell } = electron;
  const { platform, clock } = proc;
  const appRoot = app.getAppPath();
  const rendererDir = path.join(appRoot, 'dist', 'renderer');
  const preloadPath = path.join(appRoot, 'dist', 'preload', 'preload.cjs');
  const iconDir = path.join(appRoot, 'build', 'icons');

  const logFile: LogFile = proc.openLogFile('info');
  // Start at login: an XDG autostart entry on Linux, the OS login items elsewhere.
  const autostart: AutostartControl =
    platform === 'linux'
      ? new XdgAutostart({
          configDir: xdgConfigHome(proc),
          // An AppImage's own path is stable; its mounted executable path is not.
          command: [proc.env.APPIMAGE ?? proc.execPath, ...(app.isPackaged ? [] : [appRoot]), LOGIN_ARGUMENT],
          name: APP_NAME,
          comment: 'Tunnel from Cluvio to your private databases',
          icon: path.join(iconDir, 'icon.png'),
        })
      : new LoginItemAutostart(app, platform);
  // The proxy comes from the environment (HTTPS_PROXY, NO_PROXY), as for the CLI.
  const proxyChoice = proxyFromEnvironment(proc.env);
  const proxy = proxyChoice?.ok === true ? proxyChoice.proxy : null;
  const proxyProblem = proxyChoice?.ok === false ? proxyChoice.error : null;
  // The app's own settings file: never cluvio-agent.toml, which stays the reference agent's.
  let logSetting: (level: 'info' | 'warn', message: string, fields: Readonly<Record<string, string>>) => void = () =>
    undefined;
  const settings = new FileAppSettings({
    file: path.join(app.getPath('userData'), 'settings.json'),
    proxy: proxy?.display ?? null,
    log: (level, message, fields) => {
      logSetting(level, message, fields);
    },
  });
  const host = (options.createHost ?? createTunnelAgentHost)({
    appVersion: app.getVersion(),
    transport: 'electron',
    search: {
      platform,
      // The reference looks beside its executable: for an AppImage, beside the AppImage file.
      exeDir: path.dirname(proc.env.APPIMAGE ?? proc.execPath),
      env: proc.env,
      homeDir: proc.homeDir,
    },
    autostart,
    openFolder: async (dir) => (await shell.openPath(dir)) === '',
    proxy,
    proxyProblem,
    settings,
    // "Save support bundle": beside the log file; the path is the host's, never the renderer's.
    supportBundle: {
      dir: path.dirname(logFile.path),
      versions: { electron: proc.electronVersion },
      show: (file) => {
        shell.showItemInFolder(file);
      },
    },
  });
  const record = (
    level: 'info' | 'warn',
    message: string,
    fields: Readonly<Record<string, string | number>> = {},
  ): void => {
    host.record(level, MAIN_MODULE, message, { ...fields });
  };
  logSetting = record;
  early.setLogProblem((message, fields) => {
    record('warn', message, fields);
  });
  if (proxy !== null) record('info', 'using proxy', { proxy: proxy.display, source: proxy.source });
  if (proxyProblem !== null) record('warn', 'proxy setting ignored', { problem: proxyProblem });
  host.onLogRecord((entry) => {
    logFile.write(entry);
  });
  record('info', 'starting', { version: app.getVersion(), log: logFile.path });

  await app.whenReady();

  // Notifications and taskbar grouping on Windows go by the AppUserModelId.
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  // No permission (camera, notifications, …) is ever granted; the clipboard write is the UI's "Copy".
  electron.session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'clipboard-sanitized-write');
  });
  electron.protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
  if (platform === 'darwin') {
    app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() });
    electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(macApplicationMenu(APP_NAME)));
  } else {
    electron.Menu.setApplicationMenu(null);
  }

  let preferences = settings.desktopPreferences();
  const quit = new GracefulQuit({
    close: async () => {
      await host.close();
      await settings.close();
    },
    quit: () => {
      app.quit();
    },
    onQuitRequested: () => {
      record('info', 'quitting');
      windows.hideAll();
    },
    clock,
    log: record,
  });

  const blocked = (what: string): void => {
    record('warn', 'blocked', { what });
  };
  const windows = new WindowManager(
    createBrowserWindowFactory(electron, {
      preloadPath,
      iconPath: path.join(iconDir, platform === 'win32' ? 'icon.ico' : 'icon.png'),
      devTools: !app.isPackaged,
      onBlocked: blocked,
      // Linux, where there may be no tray to find the app in: the close button can minimise.
      closeAction: () => (platform === 'linux' && preferences.closeMinimizes && !quit.quitting ? 'minimize' : 'close'),
    }),
  );
  // macOS: a menu-bar app with a Dock icon while a window is open (dock-visibility.ts says why).
  if (platform === 'darwin' && app.dock !== undefined) {
    const dock = new DockVisibility(app.dock, clock);
    windows.onOpenCountChange((open) => {
      dock.windowsOpen(open);
    });
  }
  registerAgentIpc({
    ipcMain: electron.ipcMain,
    api: host,
    isTrusted: createSenderPolicy((id) => windows.isOurWebContents(id), APP_ORIGIN),
    onRefused: (reason) => {
      record('warn', 'IPC message refused', { reason });
    },
  });

  /** A yes/no question; Cancel is the default, so a hurried Enter changes nothing. */
  const ask = async (question: ReturnType<typeof confirmationMessage>): Promise<boolean> => {
    const { response } = await dialog.showMessageBox({
      type: question.type,
      title: APP_NAME,
      message: question.message,
      detail: question.detail,
      buttons: [...question.buttons],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    });
    return response === 0;
  };
  const showMessage = async (message: ImportMessage): Promise<void> => {
    await dialog.showMessageBox({
      type: message.type,
      title: APP_NAME,
      message: message.message,
      detail: message.detail,
    });
  };
  early.setImportFile((file, origin) =>
    importArrivedFile(
      {
        api: host,
        showMainWindow: () => windows.show('main'),
        showMessage,
        confirm: async (question) => {
          const yes = await ask(confirmationMessage(question));
          record('info', yes ? 'import confirmed' : 'import declined', { file: question.fileName, origin });
          return yes;
        },
      },
      file,
      origin,
    ),
  );
  // "Restore previous configuration" from the tray: asked first, showing what changes.
  const restorePrevious = async (): Promise<void> => {
    const { previous } = await host.getConfigChanges();
    if (previous === null || !(await ask(restoreMessage(previous)))) return;
    windows.show('main');
    const result = await host.restorePreviousConfig();
    if (!result.ok) await showMessage(problemsMessage(path.basename(previous.path), result.problems));
  };

  const notifier = new NativeNotifier(
    electron.Notification,
    () => windows.show('main'),
    (error) => {
      record('warn', 'notification failed', { error });
    },
  );
  // Windows: a click on a notification that is already in Action Center (or whose object is gone).
  if (platform === 'win32') electron.Notification.handleActivation(() => windows.show('main'));
  const notices = new NotificationPolicy(preferences.notifications);
  const show = (list: ReturnType<NotificationPolicy['tick']>): void => {
    for (const notice of list) {
      record('info', 'notification', { kind: notice.kind });
      notifier.show(notice);
    }
  };

  const tray = new TrayService(
    electronTraySurface(electron, path.join(iconDir, 'tray'), platform),
    {
      reconnectNow: () => {
        void host.reconnectNow();
      },
      openWindow: () => windows.show('main'),
      openLogs: () => windows.show('logs'),
      importConfig: () => {
        void dialog
          .showOpenDialog({
            title: 'Import cluvio-agent.toml',
            properties: ['openFile'],
            filters: [{ name: 'Cluvio agent configuration', extensions: ['toml'] }],
          })
          .then(({ canceled, filePaths: [file] }) => {
            if (!canceled && file !== undefined) early.arrivals.receive(file, 'tray-picker');
          });
      },
      restorePreviousConfig: () => {
        restorePrevious().catch((error: unknown) => {
          record('warn', 'restoring the previous configuration failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        });
      },
      setAutostart: (enabled) => {
        void host.setAutostart(enabled).then((state) => {
          tray.setAutostart(state);
        });
      },
      setNotifications: (enabled) => {
        void settings.setDesktopPreferences({ notifications: enabled }).then(applyPreferences);
      },
      setCloseMinimizes: (enabled) => {
        void settings.setDesktopPreferences({ closeMinimizes: enabled }).then(applyPreferences);
      },
      quit: () => {
        app.quit();
      },
    },
    {
      notifications: preferences.notifications,
      closeMinimizes: platform === 'linux' ? preferences.closeMinimizes : null,
    },
  );
  function applyPreferences(next: typeof preferences): void {
    preferences = next;
    notices.setEnabled(next.notifications);
    tray.setPreferences({
      notifications: next.notifications,
      closeMinimizes: platform === 'linux' ? next.closeMinimizes : null,
    });
  }
  host.onConfigChanges((changes) => {
    tray.setRestorable(changes.previous);
  });
  host.onSnapshot((snapshot) => {
    tray.update(snapshot);
    show(notices.observe(snapshot, clock.now()));
  });
  // Start at login as the OS sees it: read again now and then, since the user can switch the
  // entry off outside the app (Task Manager, System Settings, the autostart folder).
  const refreshAutostart = (): void => {
    host.getAutostart().then(
      (state) => {
        tray.setAutostart(state);
      },
      (error: unknown) => {
        record('warn', 'cannot read start at login', { error: error instanceof Error ? error.message : String(error) });
      },
    );
  };
  refreshAutostart();

  // A tray app keeps running with every window closed; Quit is in the tray menu.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    quit.beforeQuit(event);
  });
  // macOS logout/shutdown and Linux shutdown: never hold the session up (graceful-quit.ts).
  electron.powerMonitor.on('shutdown', () => {
    record('info', 'the session is ending');
    quit.sessionEnding();
  });
  // Fast recovery: waking up, unlocking the screen or a network change → the engine checks its
  // connection at once (a Ping with a short deadline) and reconnects if it is gone.
  const stopPowerEvents = watchPowerEvents(electron.powerMonitor, host);
  const network = new NetworkChangeDetector({
    onChange: (description) => {
      host.checkConnection(description);
    },
  }).start();
  let noticeTimer: TimerHandle | null = null;
  app.on('will-quit', () => {
    stopPowerEvents();
    network.stop();
    noticeTimer?.cancel();
    tray.destroy();
  });

  await host.start();
  await settings.start(host);
  applyPreferences(settings.desktopPreferences());
  noticeTimer = clock.setInterval(() => {
    show(notices.tick(clock.now()));
    refreshAutostart();
  }, NOTICE_CHECK_INTERVAL_MS);
  early.setWindows(windows);

  const fileArgument = configFileArgument(proc.argv, proc.cwd);
  if (fileArgument !== null) early.arrivals.receive(fileArgument, 'command-line');
  const atLogin = startedAtLogin(platform, proc.argv, () => app.getLoginItemSettings());
  const state = host.snapshot().state;
  record('info', 'started', { atLogin: String(atLogin) });
  if (atLogin) {
    // A start at login never opens the window; a missing or broken configuration is a notification.
    if (state.phase === 'unconfigured' && preferences.notifications)
      notifier.show({
        kind: 'needs-configuration',
        title: 'Cluvio Agent needs a configuration',
        body:
          state.problem === null
            ? 'Open Cluvio Agent and import the cluvio-agent.toml you downloaded from Cluvio.'
            : `${state.problem.message}. Open Cluvio Agent to fix it.`,
      });
  } else if (early.arrivals.pending === 0) {
    windows.show('main');
  }
  early.launched();
  early.arrivals.ready();
}

// The Electron entry: only in Electron's main process (`process.type` is 'browser' there), so
// that the tests can import this module and run startDesktopApp against a double. The awaits
// are part of evaluating the entry, which Electron completes before it emits 'ready' (Electron's
// ES modules guide), so everything above is registered in time.
if (process.type === 'browser') {
  // The engine relays in this process: its heap setting, once (src/tunnel/mux/heap-tuning.ts; the
  // young generation's size can only be set on Electron's command line, so it stays Electron's).
  tuneHeapForRelaying();
  const electron = await import('electron');
  const { openLogFile } = await import('./log-file.js');
  startDesktopApp<Electron.NativeImage, Electron.Menu>(electron, {
    platform: process.platform,
    argv: process.argv,
    cwd: process.cwd(),
    env: process.env,
    homeDir: os.homedir(),
    execPath: process.execPath,
    electronVersion: process.versions.electron,
    openLogFile,
    clock: systemClock,
  });
}

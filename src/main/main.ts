/**
 * The Electron main process: a thin composition root. It holds the single-instance lock, runs the
 * agent through the Electron-free host (src/host), and wires the host to the tray, the windows,
 * IPC, the log file and start-at-login. Everything with logic lives in its own tested module.
 */
import os from 'node:os';
import path from 'node:path';
import { app, dialog, ipcMain, Menu, powerMonitor, protocol, session, shell } from 'electron';
import { FileAppSettings } from '../host/app-settings.js';
import { NetworkChangeDetector } from '../host/network-change-detector.js';
import { proxyFromEnvironment } from '../tunnel/agent/index.js';
import { XdgAutostart } from '../host/xdg-autostart.js';
import { createTunnelAgentHost } from '../host/tunnel-agent-host.js';
import type { AutostartControl } from '../host/autostart-control.js';
import { APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.js';
import { configFileArgument, startHidden } from './config-file-argument.js';
import { createBrowserWindowFactory, electronTraySurface } from './electron-surfaces.js';
import { importConfigFile, importResultMessage } from './import-config-file.js';
import { createSenderPolicy, registerAgentIpc } from './ipc-handlers.js';
import { openLogFile } from './log-file.js';
import { LoginItemAutostart } from './login-item-autostart.js';
import { watchPowerEvents } from './power-events.js';
import { APP_NAME, TrayService } from './tray-service.js';
import { WindowManager } from './windows.js';

const MAIN_MODULE = 'cluvio_agent_desktop::main';

// The name the OS shows and the log and data folders use (not package.json's npm name).
app.setName(APP_NAME);
// Before `ready`: the renderer's scheme must be privileged to behave like https.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

/** Files the OS asked us to open (macOS "open with") before the agent was ready. */
const pendingOpenFiles: string[] = [];
let openFile: ((file: string) => void) | null = null;
app.on('open-file', (event, file) => {
  event.preventDefault();
  if (openFile === null) pendingOpenFiles.push(file);
  else openFile(file);
});

function xdgConfigHome(): string {
  const xdg = process.env.XDG_CONFIG_HOME;
  return xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
}

/** Start at login: an XDG autostart entry on Linux, the OS login items elsewhere. */
function createAutostart(appRoot: string): AutostartControl {
  // An AppImage's own path is stable; its mounted executable path is not.
  const program = process.env.APPIMAGE ?? process.execPath;
  if (process.platform === 'linux') {
    return new XdgAutostart({
      configDir: xdgConfigHome(),
      command: [program, ...(app.isPackaged ? [] : [appRoot]), '--hidden'],
      name: APP_NAME,
      comment: 'Tunnel from Cluvio to your private databases',
      icon: path.join(appRoot, 'build', 'icons', 'icon.png'),
    });
  }
  return new LoginItemAutostart(app, ['--hidden']);
}

async function main(): Promise<void> {
  const appRoot = app.getAppPath();
  const rendererDir = path.join(appRoot, 'dist', 'renderer');
  const preloadPath = path.join(appRoot, 'dist', 'preload', 'preload.cjs');
  const iconDir = path.join(appRoot, 'build', 'icons');

  const logFile = openLogFile('info');
  const autostart = createAutostart(appRoot);
  // The proxy comes from the environment (HTTPS_PROXY, NO_PROXY), as for the CLI.
  const proxyChoice = proxyFromEnvironment(process.env);
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
  const host = createTunnelAgentHost({
    appVersion: app.getVersion(),
    transport: 'electron',
    search: {
      platform: process.platform,
      // The reference looks beside its executable: for an AppImage, beside the AppImage file.
      exeDir: path.dirname(process.env.APPIMAGE ?? process.execPath),
      env: process.env,
      homeDir: os.homedir(),
    },
    autostart,
    openFolder: async (dir) => (await shell.openPath(dir)) === '',
    proxy,
    proxyProblem,
    settings,
    // "Save support bundle": beside the log file; the path is the host's, never the renderer's.
    supportBundle: {
      dir: path.dirname(logFile.path),
      versions: { electron: process.versions.electron },
      show: (file) => {
        shell.showItemInFolder(file);
      },
    },
  });
  logSetting = (level, message, fields) => {
    host.record(level, MAIN_MODULE, message, fields);
  };
  if (proxy !== null) host.record('info', MAIN_MODULE, 'using proxy', { proxy: proxy.display, source: proxy.source });
  if (proxyProblem !== null) host.record('warn', MAIN_MODULE, 'proxy setting ignored', { problem: proxyProblem });
  host.onLogRecord((record) => {
    logFile.write(record);
  });
  host.record('info', MAIN_MODULE, 'starting', { version: app.getVersion(), log: logFile.path });

  await app.whenReady();

  // No permission (camera, notifications, …) is ever granted; the clipboard write is the UI's "Copy".
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'clipboard-sanitized-write');
  });
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);

  const blocked = (what: string): void => {
    host.record('warn', MAIN_MODULE, 'blocked', { what });
  };
  const windows = new WindowManager(
    createBrowserWindowFactory({ preloadPath, iconPath: path.join(iconDir, 'icon.png'), onBlocked: blocked }),
  );
  registerAgentIpc({
    ipcMain,
    api: host,
    isTrusted: createSenderPolicy((id) => windows.isOurWebContents(id), APP_ORIGIN),
    onRefused: (reason) => {
      host.record('warn', MAIN_MODULE, 'IPC message refused', { reason });
    },
  });

  const importAndReport = async (file: string): Promise<void> => {
    const result = await importConfigFile(host, file);
    const message = importResultMessage(path.basename(file), result);
    if (result.ok) windows.show('main');
    await dialog.showMessageBox({
      type: message.type,
      title: APP_NAME,
      message: message.message,
      detail: message.detail,
    });
  };

  const tray = new TrayService(electronTraySurface(path.join(iconDir, 'tray'), process.platform), {
    openWindow: () => windows.show('main'),
    openLogs: () => windows.show('logs'),
    importConfig: () => {
      void dialog
        .showOpenDialog({
          title: 'Import cluvio-agent.toml',
          properties: ['openFile'],
          filters: [{ name: 'Cluvio agent configuration', extensions: ['toml'] }],
        })
        .then(async ({ canceled, filePaths: [file] }) => {
          if (!canceled && file !== undefined) await importAndReport(file);
        });
    },
    setAutostart: (enabled) => {
      void host.setAutostart(enabled).then((state) => {
        tray.setAutostart(state);
      });
    },
    quit: () => {
      app.quit();
    },
  });
  host.onSnapshot((snapshot) => {
    tray.update(snapshot);
  });
  void host.getAutostart().then((state) => {
    tray.setAutostart(state);
  });

  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = configFileArgument(argv, workingDirectory);
    if (file === null) windows.show('main');
    else void importAndReport(file);
  });
  app.on('activate', () => windows.show('main'));
  // A tray app keeps running with every window closed; Quit is in the tray menu.
  app.on('window-all-closed', () => undefined);

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopped = true;
    void host.close().finally(() => {
      tray.destroy();
      app.quit();
    });
  });
  // Fast recovery: waking up, unlocking the screen or a network change → the engine checks its
  // connection at once (a Ping with a short deadline) and reconnects if it is gone.
  const stopPowerEvents = watchPowerEvents(powerMonitor, host);
  const network = new NetworkChangeDetector({
    onChange: (description) => {
      host.checkConnection(description);
    },
  }).start();
  app.on('will-quit', () => {
    stopPowerEvents();
    network.stop();
    void settings.close();
  });

  await host.start();
  await settings.start(host);
  openFile = (file) => {
    void importAndReport(file);
  };
  const fileArgument = configFileArgument(process.argv, process.cwd());
  for (const file of [...pendingOpenFiles.splice(0), ...(fileArgument === null ? [] : [fileArgument])]) openFile(file);
  // First run (nothing to run on) always opens the window; a login start stays in the tray.
  if (!startHidden(process.argv) || host.snapshot().config === null) windows.show('main');
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  main().catch((error: unknown) => {
    dialog.showErrorBox(
      APP_NAME,
      `The agent could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    app.exit(1);
  });
}

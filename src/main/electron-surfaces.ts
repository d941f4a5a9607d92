/**
 * The only module that turns Electron objects into the narrow surfaces the main-process services
 * take (so those services are tested without Electron). It takes Electron's module as an
 * argument (desktop-electron.ts), so the composition root runs against a double in the tests.
 */
import { appUrl } from './app-protocol.js';
import type { DesktopElectron, DesktopImage, DesktopWebContents } from './desktop-electron.js';
import { trayIconPath } from './tray-icons.js';
import type { TrayAction, TrayMenuItem, TraySurface, TrayToggle } from './tray-service.js';
import { hardenNavigation, type NavigationSurface, secureWebPreferences } from './window-security.js';
import type { AppWindow, WindowKind } from './windows.js';

export function navigationSurface(contents: DesktopWebContents): NavigationSurface {
  return {
    onWillNavigate: (listener) => {
      contents.on('will-navigate', (event, url) => {
        listener(event, url);
      });
    },
    onWillRedirect: (listener) => {
      contents.on('will-redirect', (event, url) => {
        listener(event, url);
      });
    },
    onWillAttachWebview: (listener) => {
      contents.on('will-attach-webview', (event) => {
        listener(event);
      });
    },
    setWindowOpenHandler: (handler) => {
      contents.setWindowOpenHandler(handler);
    },
  };
}

/** What the user's click on a window's close button does. */
export type CloseAction = 'close' | 'minimize';

export interface WindowFactoryOptions {
  readonly preloadPath: string;
  readonly iconPath: string;
  /** Developer tools: only in an unpackaged (development) run. */
  readonly devTools: boolean;
  readonly onBlocked: (what: string) => void;
  /** Asked on every close: 'minimize' keeps the window (cancels the close), 'close' lets it go. */
  readonly closeAction: () => CloseAction;
}

const WINDOW_SPECS: Readonly<
  Record<WindowKind, { title: string; width: number; height: number; fragment: string | null }>
> = {
  main: { title: 'Cluvio Agent', width: 980, height: 700, fragment: null },
  logs: { title: 'Cluvio Agent: Logs', width: 1100, height: 640, fragment: 'logs-window' },
};

export function createBrowserWindowFactory(
  electron: Pick<DesktopElectron<DesktopImage, unknown>, 'BrowserWindow' | 'nativeTheme'>,
  options: WindowFactoryOptions,
): (kind: WindowKind) => AppWindow {
  // Called by its own name, so the lint rule that every BrowserWindow takes secureWebPreferences() sees it.
  const { BrowserWindow } = electron;
  return (kind) => {
    const spec = WINDOW_SPECS[kind];
    const window = new BrowserWindow({
      title: spec.title,
      width: spec.width,
      height: spec.height,
      minWidth: 640,
      minHeight: 420,
      // Shown by WindowManager on 'ready-to-show', so no empty frame flashes.
      show: false,
      icon: options.iconPath,
      backgroundColor: electron.nativeTheme.shouldUseDarkColors ? '#17191c' : '#ffffff',
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(options.preloadPath, { devTools: options.devTools }),
    });
    hardenNavigation(navigationSurface(window.webContents), options.onBlocked);
    window.on('close', (event) => {
      if (options.closeAction() === 'minimize') {
        event.preventDefault();
        window.minimize();
      }
    });
    void window.loadURL(appUrl(spec.fragment));
    const webContentsId = window.webContents.id;
    return {
      webContentsId,
      show: () => {
        window.show();
      },
      hide: () => {
        window.hide();
      },
      focus: () => {
        window.focus();
      },
      restore: () => {
        window.restore();
      },
      isMinimized: () => window.isMinimized(),
      isDestroyed: () => window.isDestroyed(),
      onReadyToShow: (listener) => {
        window.once('ready-to-show', listener);
      },
      onClosed: (listener) => {
        window.on('closed', listener);
      },
    };
  };
}

function menuItem(
  item: TrayMenuItem,
  onAction: (id: TrayAction) => void,
  onToggle: (id: TrayToggle, checked: boolean) => void,
): Electron.MenuItemConstructorOptions {
  switch (item.kind) {
    case 'status':
      return { label: item.label, enabled: false };
    case 'separator':
      return { type: 'separator' };
    case 'action':
      return {
        label: item.label,
        click: () => {
          onAction(item.id);
        },
      };
    case 'checkbox':
      return {
        label: item.label,
        type: 'checkbox',
        checked: item.checked,
        enabled: item.enabled,
        click: (menuItemClicked) => {
          onToggle(item.id, menuItemClicked.checked);
        },
      };
  }
}

export function electronTraySurface<Image extends DesktopImage, Menu>(
  electron: Pick<DesktopElectron<Image, Menu>, 'Tray' | 'Menu' | 'nativeImage'>,
  iconDir: string,
  platform: NodeJS.Platform,
): TraySurface<Menu> {
  const image = (status: Parameters<typeof trayIconPath>[1]): Image => {
    const icon = electron.nativeImage.createFromPath(trayIconPath(iconDir, status, platform));
    // Black + alpha, tinted by the menu bar for light and dark (electron.d.ts `setTemplateImage`).
    if (platform === 'darwin') icon.setTemplateImage(true);
    return icon;
  };
  return {
    createTray(status, onClick) {
      const tray = new electron.Tray(image(status));
      // macOS: a click opens the menu, as menu-bar apps do. Windows: a left click opens the
      // window, the right click the menu. Linux: 'click' comes only where the panel sends an
      // activation (electron.d.ts Tray 'click'), so the menu's first item opens the window too.
      if (platform !== 'darwin') tray.on('click', onClick);
      return {
        setImage: (next) => {
          tray.setImage(image(next));
        },
        setToolTip: (text) => {
          tray.setToolTip(text);
        },
        setContextMenu: (menu: Menu) => {
          tray.setContextMenu(menu);
        },
        destroy: () => {
          tray.destroy();
        },
      };
    },
    buildMenu: (items, onAction, onToggle) =>
      electron.Menu.buildFromTemplate(items.map((item) => menuItem(item, onAction, onToggle))),
  };
}

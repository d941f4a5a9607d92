/**
 * The only module that turns Electron objects into the narrow surfaces the main-process services
 * take (so those services are tested without Electron). Type-checked against Electron's typings.
 */
import {
  BrowserWindow,
  Menu,
  type MenuItemConstructorOptions,
  nativeImage,
  nativeTheme,
  Tray,
  type WebContents,
} from 'electron';
import { appUrl } from './app-protocol.js';
import { trayIconPath } from './tray-icons.js';
import type { TrayAction, TrayMenuItem, TraySurface } from './tray-service.js';
import { hardenNavigation, type NavigationSurface, secureWebPreferences } from './window-security.js';
import type { AppWindow, WindowKind } from './windows.js';

export function navigationSurface(contents: WebContents): NavigationSurface {
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

export interface WindowFactoryOptions {
  readonly preloadPath: string;
  readonly iconPath: string;
  readonly onBlocked: (what: string) => void;
}

const WINDOW_SPECS: Readonly<
  Record<WindowKind, { title: string; width: number; height: number; fragment: string | null }>
> = {
  main: { title: 'Cluvio Agent', width: 980, height: 700, fragment: null },
  logs: { title: 'Cluvio Agent: Logs', width: 1100, height: 640, fragment: 'logs-window' },
};

export function createBrowserWindowFactory(options: WindowFactoryOptions): (kind: WindowKind) => AppWindow {
  return (kind) => {
    const spec = WINDOW_SPECS[kind];
    const window = new BrowserWindow({
      title: spec.title,
      width: spec.width,
      height: spec.height,
      minWidth: 640,
      minHeight: 420,
      show: false,
      icon: options.iconPath,
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#17191c' : '#ffffff',
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(options.preloadPath),
    });
    hardenNavigation(navigationSurface(window.webContents), options.onBlocked);
    window.once('ready-to-show', () => {
      window.show();
    });
    void window.loadURL(appUrl(spec.fragment));
    const webContentsId = window.webContents.id;
    return {
      webContentsId,
      show: () => {
        window.show();
      },
      focus: () => {
        window.focus();
      },
      restore: () => {
        window.restore();
      },
      isMinimized: () => window.isMinimized(),
      isDestroyed: () => window.isDestroyed(),
      onClosed: (listener) => {
        window.on('closed', listener);
      },
    };
  };
}

function menuItem(
  item: TrayMenuItem,
  onAction: (id: TrayAction) => void,
  onAutostart: (enabled: boolean) => void,
): MenuItemConstructorOptions {
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
          onAutostart(menuItemClicked.checked);
        },
      };
  }
}

export function electronTraySurface(iconDir: string, platform: NodeJS.Platform): TraySurface<Electron.Menu> {
  const image = (status: Parameters<typeof trayIconPath>[1]): Electron.NativeImage => {
    const icon = nativeImage.createFromPath(trayIconPath(iconDir, status, platform));
    if (platform === 'darwin') icon.setTemplateImage(true);
    return icon;
  };
  return {
    createTray(status, onClick) {
      const tray = new Tray(image(status));
      tray.on('click', onClick);
      return {
        setImage: (next) => {
          tray.setImage(image(next));
        },
        setToolTip: (text) => {
          tray.setToolTip(text);
        },
        setContextMenu: (menu: Electron.Menu) => {
          tray.setContextMenu(menu);
        },
        destroy: () => {
          tray.destroy();
        },
      };
    },
    buildMenu: (items, onAction, onAutostart) =>
      Menu.buildFromTemplate(items.map((item) => menuItem(item, onAction, onAutostart))),
  };
}

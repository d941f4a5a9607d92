/**
 * Electron's security checklist applied to every window: isolated, sandboxed renderer without
 * Node; no navigation away from our page, no new windows, no webviews, no permissions; no
 * developer tools in a packaged build (`devTools: false` also disables their keyboard shortcuts).
 */
import type { WebPreferences } from 'electron';

export function secureWebPreferences(preloadPath: string, options: { readonly devTools: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    devTools: options.devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    experimentalFeatures: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export interface PreventableEvent {
  preventDefault(): void;
}

/** The WebContents hooks used here; `electron-surfaces.ts` adapts a real WebContents. */
export interface NavigationSurface {
  onWillNavigate(listener: (event: PreventableEvent, url: string) => void): void;
  onWillRedirect(listener: (event: PreventableEvent, url: string) => void): void;
  onWillAttachWebview(listener: (event: PreventableEvent) => void): void;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { readonly action: 'deny' }): void;
}

/** The page never leaves our own document: hash changes are in-page and not navigations. */
export function hardenNavigation(contents: NavigationSurface, onBlocked: (what: string) => void): void {
  contents.onWillNavigate((event, url) => {
    event.preventDefault();
    onBlocked(`navigation to ${url}`);
  });
  contents.onWillRedirect((event, url) => {
    event.preventDefault();
    onBlocked(`redirect to ${url}`);
  });
  contents.onWillAttachWebview((event) => {
    event.preventDefault();
    onBlocked('a webview');
  });
  contents.setWindowOpenHandler(({ url }) => {
    onBlocked(`a new window for ${url}`);
    return { action: 'deny' };
  });
}

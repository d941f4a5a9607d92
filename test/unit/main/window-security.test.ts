import { describe, expect, it } from 'vitest';
import {
  hardenNavigation,
  type NavigationSurface,
  type PreventableEvent,
  secureWebPreferences,
} from '../../../src/main/window-security.js';

describe('window security', () => {
  it('every window is isolated and sandboxed, without Node, webviews, insecure content or (packaged) developer tools', () => {
    expect(secureWebPreferences('/app/dist/preload/preload.cjs', { devTools: false })).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      devTools: false,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('blocks navigation, redirects, webviews and new windows, and reports each', () => {
    const hooks: Partial<Record<'navigate' | 'redirect' | 'webview', (event: PreventableEvent, url: string) => void>> =
      {};
    const opened: { handler: ((details: { url: string }) => { action: 'deny' }) | null } = { handler: null };
    const surface: NavigationSurface = {
      onWillNavigate: (l) => (hooks.navigate = l),
      onWillRedirect: (l) => (hooks.redirect = l),
      onWillAttachWebview: (l) => (hooks.webview = (e) => l(e)),
      setWindowOpenHandler: (h) => (opened.handler = h),
    };
    const blocked: string[] = [];
    hardenNavigation(surface, (what) => blocked.push(what));

    let prevented = 0;
    const event = { preventDefault: () => (prevented += 1) };
    hooks.navigate?.(event, 'https://evil.example/');
    hooks.redirect?.(event, 'https://evil.example/r');
    hooks.webview?.(event, '');
    expect(prevented).toBe(3);
    expect(opened.handler?.({ url: 'https://evil.example/popup' })).toEqual({ action: 'deny' });
    expect(blocked).toEqual([
      'navigation to https://evil.example/',
      'redirect to https://evil.example/r',
      'a webview',
      'a new window for https://evil.example/popup',
    ]);
  });
});

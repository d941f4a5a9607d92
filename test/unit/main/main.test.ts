/**
 * The composition root, src/main/main.ts, run as Electron would run it, against the recording
 * double of Electron's API (support/electron-double.ts), with the real agent host and engine.
 * Each test plays what a user or the OS does and checks what the user would see.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QUIT_DEADLINE_MS } from '../../../src/main/graceful-quit.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { NOTICE_CHECK_INTERVAL_MS, OFFLINE_NOTICE_AFTER_MS } from '../../../src/main/notification-policy.js';
import { closedLoopbackPort, offlineConfig } from '../host/support/offline-config.js';
import type { MenuDouble, TrayDoubleLike } from './support/electron-double.js';
import { type LaunchedApp, launchDesktopApp, type LaunchOptions, mainLog } from './support/desktop-harness.js';

const running: LaunchedApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});

async function launch(options: LaunchOptions): Promise<LaunchedApp> {
  const app = await launchDesktopApp(options);
  running.push(app);
  return app;
}

function trayOf(app: LaunchedApp): TrayDoubleLike {
  const tray = app.electron.record.trays[0];
  if (tray === undefined) throw new Error('no tray');
  return tray;
}

function trayMenu(app: LaunchedApp): MenuDouble {
  const menu = trayOf(app).menu;
  if (menu === null) throw new Error('the tray has no menu');
  return menu;
}

describe('startup', () => {
  it('creates the window hidden and shows it only once its page has rendered', async () => {
    const app = await launch({ platform: 'linux', manualRendering: true });
    const [window] = app.electron.record.windows;
    if (window === undefined) throw new Error('no window on a first run');
    expect(window.options.show).toBe(false);
    expect(window.url).toBe('app://agent/index.html');
    expect(window.visible).toBe(false);
    window.render();
    expect(window.visible).toBe(true);
    expect(window.shownCount).toBe(1);
    // Asking again while it is up only brings it to the front.
    app.electron.secondInstance([], app.cwd);
    expect(app.electron.record.windows).toHaveLength(1);
  });

  it('a window asked for twice while loading is shown once, when ready', async () => {
    const app = await launch({ platform: 'linux', manualRendering: true, configured: true });
    expect(app.electron.record.windows).toHaveLength(1);
    app.electron.secondInstance([], app.cwd);
    const window = app.electron.record.windows[0];
    expect(window?.visible).toBe(false);
    window?.render();
    expect(window?.visible).toBe(true);
  });

  it('registers app:// before ready, locks permissions down, and keeps developer tools out of a packaged build', async () => {
    const app = await launch({ platform: 'linux' });
    const { record } = app.electron;
    expect(record.privilegedSchemes.map((s) => s.scheme)).toEqual(['app']);
    expect(record.protocolHandlers.has('app')).toBe(true);
    // The handler never looks at the asking page: any request of a kind is answered alike.
    const page = null as unknown as Electron.WebContents;
    const granted = (permission: 'clipboard-sanitized-write' | 'notifications' | 'media'): boolean => {
      const answers: boolean[] = [];
      record.permissionHandler?.(page, permission, (permissionGranted) => answers.push(permissionGranted), {
        isMainFrame: true,
        requestingUrl: 'app://agent/index.html',
      });
      return answers[0] ?? false;
    };
    expect([granted('clipboard-sanitized-write'), granted('notifications'), granted('media')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(record.windows[0]?.options.webPreferences).toMatchObject({ devTools: false, sandbox: true });
    expect(record.applicationMenu).toBeNull();
    expect(record.ipcHandlers.size).toBeGreaterThan(10);
    expect(mainLog(app)).toContain('started');
  });

  it('development runs (not packaged) keep developer tools', async () => {
    const app = await launch({ platform: 'linux', isPackaged: false });
    expect(app.electron.record.windows[0]?.options.webPreferences).toMatchObject({ devTools: true });
  });

  it.each([
    ['darwin', 'disabledTemplate.png', true],
    ['win32', 'disabled.ico', false],
    ['linux', 'disabled.png', false],
  ] as const)('%s: the tray icon is %s, loaded (template image: %s)', async (platform, file, template) => {
    const app = await launch({ platform });
    const tray = trayOf(app);
    expect(path.basename(tray.image.path)).toBe(file);
    expect(tray.image.isEmpty()).toBe(false);
    expect(tray.image.template).toBe(template);
    expect(tray.tooltip).toBe('Cluvio Agent: Not configured');
  });

  it('a second instance hands over and quits', async () => {
    const app = await launch({ platform: 'linux', primary: false });
    expect(app.handle.primary).toBe(false);
    expect(app.electron.record.calls).toContain('app.quit');
    expect(app.electron.record.windows).toEqual([]);
  });
});

describe('a second launch', () => {
  it('shows the window again after it was closed (how the app stays findable without a tray)', async () => {
    const app = await launch({ platform: 'linux' });
    app.electron.record.windows[0]?.userCloses();
    expect(app.electron.openWindows()).toEqual([]);
    expect(app.electron.record.exitCode).toBeNull();
    app.electron.secondInstance(['/opt/Cluvio Agent/cluvio-agent-desktop'], app.cwd);
    await vi.waitFor(() => {
      expect(app.electron.openWindows()[0]?.visible).toBe(true);
    });
  });

  it('with a file ("Open with") and nothing configured yet: imports it without asking (it replaces nothing) and shows the window', async () => {
    const app = await launch({ platform: 'linux' });
    app.electron.record.windows[0]?.userCloses();
    const key = SecretKey.generate().exportBase64url();
    await writeFile(path.join(app.cwd, 'agent.toml'), offlineConfig(await closedLoopbackPort(), key));
    app.electron.secondInstance(['/opt/Cluvio Agent/cluvio-agent-desktop', 'agent.toml'], app.cwd);
    await vi.waitFor(() => {
      expect(app.electron.openWindows()[0]?.visible).toBe(true);
    });
    // The window shows the outcome; no dialog asked or told anything.
    expect(app.electron.record.dialogs).toEqual([]);
    expect(app.host.snapshot().config).not.toBeNull();
    expect((await app.host.getConfigChanges()).last?.fileName).toBe('agent.toml');
    // The secret key reaches neither the dialog nor the log file.
    expect(JSON.stringify([app.electron.record.dialogs, app.logs])).not.toContain(key);
  });

  it('with a file over a working configuration: asks first, showing what changes; Cancel (the default) changes nothing', async () => {
    const app = await launch({ platform: 'linux', configured: true });
    const before = app.host.snapshot().config;
    const configFile = app.host.configPath ?? '';
    const previousText = await readFile(configFile, 'utf8');
    const key = SecretKey.generate().exportBase64url();
    await writeFile(path.join(app.cwd, 'other.toml'), offlineConfig(await closedLoopbackPort(), key, 'db.internal'));
    app.electron.record.messageBoxResponses.push(1);
    app.electron.secondInstance(['/opt/Cluvio Agent/cluvio-agent-desktop', 'other.toml'], app.cwd);
    await vi.waitFor(() => {
      expect(mainLog(app)).toContain('import declined');
    });
    const [question] = app.electron.record.dialogs;
    expect(question).toMatchObject({
      type: 'warning',
      message: "Replace the agent's configuration with other.toml?",
      buttons: ['Replace', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
    });
    expect(question?.detail).toContain(`Agent ID: ${before?.agentId ?? ''} → `);
    expect(question?.detail).toContain('Allowed addresses added: db.internal');
    expect(question?.detail).toContain('Allowed addresses removed: 10.0.0.0/8');
    expect(JSON.stringify(question)).not.toContain(key);
    expect(app.host.snapshot().config?.agentId).toBe(before?.agentId);
    expect(await readFile(configFile, 'utf8')).toBe(previousText);
  });

  it('Replace imports it, and the tray then offers "Restore previous configuration…", which asks and goes back', async () => {
    const app = await launch({ platform: 'linux', configured: true });
    const before = app.host.snapshot().config?.agentId;
    await writeFile(path.join(app.cwd, 'other.toml'), offlineConfig(await closedLoopbackPort()));
    expect(trayMenu(app).entries()).not.toContain('Restore previous configuration…');
    app.electron.record.messageBoxResponses.push(0);
    app.electron.secondInstance(['/opt/Cluvio Agent/cluvio-agent-desktop', 'other.toml'], app.cwd);
    await vi.waitFor(() => {
      expect(mainLog(app)).toContain('import confirmed');
      expect(app.host.snapshot().config?.agentId).not.toBe(before);
    });
    await vi.waitFor(() => {
      expect(trayMenu(app).entries()).toContain('Restore previous configuration…');
    });
    app.electron.record.messageBoxResponses.push(0);
    trayMenu(app).click('Restore previous configuration…');
    await vi.waitFor(() => {
      expect(app.host.snapshot().config?.agentId).toBe(before);
    });
    const restoreQuestion = app.electron.record.dialogs.at(-1);
    expect(restoreQuestion).toMatchObject({
      message: 'Restore the previous configuration?',
      buttons: ['Restore', 'Cancel'],
    });
    expect(restoreQuestion?.detail).toContain(`→ ${before ?? ''}`);
    expect((await app.host.getConfigChanges()).last).toMatchObject({ kind: 'restore' });
  });
});

describe('macOS: open-file', () => {
  it('a file that launched the app is taken before ready and imported once the agent runs', async () => {
    const app = await launch({
      platform: 'darwin',
      openFilesBeforeReady: async (dir) => {
        const file = path.join(dir, 'cwd', 'cluvio-agent.toml');
        await writeFile(file, offlineConfig(await closedLoopbackPort()));
        return [file];
      },
    });
    expect(app.openFileEvents[0]?.defaultPrevented).toBe(true);
    await vi.waitFor(() => {
      expect(app.host.snapshot().config).not.toBeNull();
    });
    // One window: the one the import opened, not a startup window besides it.
    await vi.waitFor(() => {
      expect(app.electron.openWindows()[0]?.visible).toBe(true);
    });
    expect(app.electron.record.windows).toHaveLength(1);
  });

  it('while running (Finder "Open With", a drop on the Dock icon): the same path; a bad file changes nothing', async () => {
    const app = await launch({ platform: 'darwin', configured: true });
    const before = app.host.snapshot().config?.agentId;
    const bad = path.join(app.cwd, 'Cargo.toml');
    await writeFile(bad, '[package]\nname = "x"\n');
    expect(app.electron.openFile(bad).defaultPrevented).toBe(true);
    await vi.waitFor(() => {
      expect(app.electron.record.dialogs).toHaveLength(1);
    });
    expect(app.electron.record.dialogs[0]).toMatchObject({ type: 'error', message: 'Cargo.toml was not imported' });
    expect(app.electron.record.dialogs[0]?.detail).toContain('missing configuration field "secret-key"');
    expect(app.electron.record.dialogs[0]?.detail).toContain('unknown key "package"');
    expect(app.host.snapshot().config?.agentId).toBe(before);
  });
});

describe('a start at login never opens the window', () => {
  it.each([
    { platform: 'win32', args: ['--hidden'] },
    { platform: 'linux', args: ['--hidden'] },
    { platform: 'darwin', launchedAsLoginItem: true },
  ] as const)('$platform', async (how) => {
    for (const configured of [true, false]) {
      const app = await launch({ ...how, configured });
      expect(app.electron.record.windows, `configured: ${configured}`).toEqual([]);
      expect(app.electron.record.trays).toHaveLength(1);
      expect(app.electron.app.dockCalls).toEqual([]);
      const notices = app.electron.record.notifications.map((n) => n.options.title);
      expect(notices).toEqual(configured ? [] : ['Cluvio Agent needs a configuration']);
      // Clicking the notice opens the window.
      app.electron.record.notifications[0]?.click();
      expect(app.electron.record.windows).toHaveLength(configured ? 0 : 1);
    }
  });

  it.each([
    { platform: 'darwin' },
    { platform: 'win32', launchedAsLoginItem: true },
    { platform: 'linux', launchedAsLoginItem: true },
  ] as const)('a start by the user opens it ($platform, wasOpenedAtLogin only counts on macOS)', async (how) => {
    const app = await launch({ ...how, configured: true });
    expect(app.electron.record.windows).toHaveLength(1);
  });
});

describe('quit', () => {
  it('with a hung agent: the windows go at once, the app quits after a few seconds', async () => {
    const app = await launch({ platform: 'linux', configured: true, hangOnClose: true });
    const window = app.electron.openWindows()[0];
    trayMenu(app).click('Quit');
    expect(app.electron.record.exitCode).toBeNull();
    expect(window?.visible).toBe(false);
    const [deadline] = app.clock.pendingTimeouts();
    expect(deadline).toBe(QUIT_DEADLINE_MS);
    expect(QUIT_DEADLINE_MS).toBeGreaterThanOrEqual(1_000);
    expect(QUIT_DEADLINE_MS).toBeLessThanOrEqual(5_000);
    // Asking again does not make it wait longer, nor quit before the deadline.
    trayMenu(app).click('Quit');
    app.clock.advance(QUIT_DEADLINE_MS - 1);
    expect(app.electron.record.exitCode).toBeNull();
    app.clock.advance(1);
    expect(app.electron.record.exitCode).toBe(0);
    expect(trayOf(app).destroyed).toBe(true);
    expect(mainLog(app)).toContain('the agent did not stop in time; quitting anyway');
  });

  it('with a healthy agent: quits as soon as it has stopped', async () => {
    const app = await launch({ platform: 'win32', configured: true });
    app.electron.app.quit();
    await vi.waitFor(() => {
      expect(app.electron.record.exitCode).toBe(0);
    });
    expect(mainLog(app)).toContain('quitting');
    expect(mainLog(app)).not.toContain('the agent did not stop in time; quitting anyway');
  });

  it.each(['darwin', 'linux'] as const)(
    '%s: logout or shutdown is never held, even by a hung agent',
    async (platform) => {
      const app = await launch({ platform, configured: true, hangOnClose: true });
      app.electron.sessionEnds();
      expect(app.electron.record.exitCode).toBe(0);
      expect(app.clock.pendingTimeouts()).not.toContain(QUIT_DEADLINE_MS);
    },
  );

  it('a logout while a quit waits for the agent lets it go at once', async () => {
    const app = await launch({ platform: 'darwin', configured: true, hangOnClose: true });
    trayMenu(app).click('Quit');
    expect(app.electron.record.exitCode).toBeNull();
    app.electron.sessionEnds();
    expect(app.electron.record.exitCode).toBe(0);
  });
});

describe('notifications', () => {
  it('offline for longer than the threshold: one notification; clicking it opens the window', async () => {
    const app = await launch({ platform: 'linux', configured: true, args: ['--hidden'] });
    app.clock.advance(OFFLINE_NOTICE_AFTER_MS - NOTICE_CHECK_INTERVAL_MS);
    expect(app.electron.record.notifications).toEqual([]);
    app.clock.advance(2 * NOTICE_CHECK_INTERVAL_MS);
    const notices = app.electron.record.notifications;
    expect(notices.map((n) => n.options.title)).toEqual(['Cluvio Agent is offline']);
    expect(notices[0]?.options.body).toMatch(/^No connection to localhost for 2 minutes\. .*It keeps trying\.$/);
    app.clock.advance(30 * 60_000);
    expect(app.electron.record.notifications).toHaveLength(1);
    expect(app.electron.record.windows).toEqual([]);
    notices[0]?.click();
    expect(app.electron.openWindows()).toHaveLength(1);
  });

  it('off in the tray menu: none, and the choice is kept in settings.json', async () => {
    const app = await launch({ platform: 'linux', configured: true, args: ['--hidden'] });
    expect(trayMenu(app).item('Notifications')).toMatchObject({ type: 'checkbox', checked: true });
    trayMenu(app).click('Notifications');
    const settingsFile = path.join(app.dir, 'userData', 'settings.json');
    await vi.waitFor(async () => {
      expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toMatchObject({ notifications: false });
    });
    expect(trayMenu(app).item('Notifications')).toMatchObject({ checked: false });
    app.clock.advance(OFFLINE_NOTICE_AFTER_MS + NOTICE_CHECK_INTERVAL_MS);
    expect(app.electron.record.notifications).toEqual([]);
  });

  it('Windows: the AppUserModelId is set before any notification, and a click from Action Center opens the window', async () => {
    const app = await launch({ platform: 'win32', configured: true, args: ['--hidden'] });
    expect(app.electron.record.appUserModelId).toBe('com.cluvio.agent');
    app.clock.advance(OFFLINE_NOTICE_AFTER_MS + NOTICE_CHECK_INTERVAL_MS);
    expect(app.electron.record.notifications).toHaveLength(1);
    app.electron.record.activationHandler?.({ type: 'click', arguments: '' });
    expect(app.electron.openWindows()).toHaveLength(1);
  });

  it('not on a desktop without a notification service', async () => {
    const app = await launch({ platform: 'linux', args: ['--hidden'], notificationsSupported: false });
    expect(app.electron.record.notifications).toEqual([]);
  });
});

describe('macOS: a menu-bar app', () => {
  it('has a minimal application menu without developer tools or Electron’s help', async () => {
    const app = await launch({ platform: 'darwin' });
    const menu = app.electron.record.applicationMenu;
    if (menu === null || menu === undefined) throw new Error('no application menu on macOS');
    const entries = menu.entries();
    for (const role of ['about', 'quit', 'copy', 'paste', 'cut', 'selectAll', 'undo', 'close'])
      expect(entries).toContain(`role:${role}`);
    for (const role of ['toggleDevTools', 'reload', 'forceReload', 'viewMenu', 'help'])
      expect(entries).not.toContain(`role:${role}`);
    expect(entries.some((e) => /help|view|develop/i.test(e))).toBe(false);
  });

  it('shows the Dock icon while a window is open, and hides it after the last one closes', async () => {
    const app = await launch({ platform: 'darwin' });
    expect(app.electron.app.dockCalls).toEqual(['show']);
    // Closed within a second of showing: Electron would ignore an immediate hide.
    app.electron.openWindows()[0]?.userCloses();
    expect(app.electron.app.dockCalls).toEqual(['show']);
    app.clock.advance(1_100);
    expect(app.electron.app.dockCalls).toEqual(['show', 'hide']);
    expect(app.electron.record.exitCode).toBeNull();
    // Launching it again from Finder (macOS keeps one instance itself) brings the window, and the Dock icon, back.
    app.electron.reopen();
    expect(app.electron.app.dockCalls).toEqual(['show', 'hide', 'show']);
  });
});

describe('start at login, as the OS sees it', () => {
  it('Windows: turned on with --hidden; switched off in Task Manager, the menu shows it off', async () => {
    const app = await launch({ platform: 'win32', configured: true });
    expect(trayMenu(app).item('Start at login')).toMatchObject({ checked: false, enabled: true });
    trayMenu(app).click('Start at login');
    await vi.waitFor(() => {
      expect(trayMenu(app).item('Start at login')).toMatchObject({ checked: true });
    });
    expect(app.electron.record.calls).toContain(
      'app.setLoginItemSettings({"openAtLogin":true,"args":["--hidden"],"enabled":true})',
    );
    app.electron.disableStartupEntryInTaskManager();
    app.clock.advance(NOTICE_CHECK_INTERVAL_MS);
    await vi.waitFor(() => {
      expect(trayMenu(app).item('Start at login')).toMatchObject({ checked: false });
    });
  });

  it('macOS: a login item without arguments (macOS ignores them)', async () => {
    const app = await launch({ platform: 'darwin', configured: true });
    trayMenu(app).click('Start at login');
    await vi.waitFor(() => {
      expect(trayMenu(app).item('Start at login')).toMatchObject({ checked: true });
    });
    expect(app.electron.record.calls).toContain('app.setLoginItemSettings({"openAtLogin":true})');
  });
});

describe('Linux: the close button', () => {
  it('hides to the tray by default; with the setting, it minimises, and Quit still quits', async () => {
    const app = await launch({ platform: 'linux', configured: true });
    expect(trayMenu(app).entries()).toContain('Close button minimises the window');
    trayMenu(app).click('Close button minimises the window');
    await vi.waitFor(() => {
      expect(trayMenu(app).item('Close button minimises the window')).toMatchObject({ checked: true });
    });
    const window = app.electron.openWindows()[0];
    window?.userCloses();
    expect(window).toMatchObject({ destroyed: false, minimized: true });
    trayMenu(app).click('Quit');
    await vi.waitFor(() => {
      expect(app.electron.record.exitCode).toBe(0);
    });
    expect(window?.destroyed).toBe(true);
  });

  it.each(['darwin', 'win32'] as const)('%s: not offered', async (platform) => {
    const app = await launch({ platform });
    expect(trayMenu(app).entries()).not.toContain('Close button minimises the window');
  });
});

describe('tray: Reconnect now', () => {
  it('appears while the agent waits to retry; picking it ends the wait and the engine tries again at once', async () => {
    const app = await launch({ platform: 'linux', configured: true });
    // The configured gateway refuses connections: the engine fails and waits (2 s, then 4 s…).
    await vi.waitFor(
      () => {
        expect(app.host.snapshot().state.phase).toBe('backing-off');
        expect(trayMenu(app).entries()).toContain('Reconnect now');
      },
      { timeout: 20_000, interval: 20 },
    );
    const failuresBefore = app.host.metrics()?.connectFailures ?? 0;
    trayMenu(app).click('Reconnect now');
    await vi.waitFor(
      () => {
        expect(
          app.logs.some(
            (r) => r.message === 'connecting now instead of waiting' && r.fields.reason === 'Reconnect now',
          ),
        ).toBe(true);
        // The attempt that the wait held back was made (and refused again).
        expect(app.host.metrics()?.connectFailures ?? 0).toBeGreaterThan(failuresBefore);
      },
      { timeout: 20_000, interval: 20 },
    );
  });
});

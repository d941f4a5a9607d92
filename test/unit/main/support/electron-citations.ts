/**
 * Where each behaviour of the Electron double (electron-double.ts) comes from: a line of
 * node_modules/electron/electron.d.ts (Electron 45.6.1, the pinned version) and the words on it,
 * or a page of Electron's documentation for what the typings do not say. The double's comments
 * name these keys; test/unit/main/electron-double.test.ts checks that every line still says what
 * is quoted here, so an Electron upgrade that changes a documented behaviour shows up as a
 * failing test instead of a double that quietly encodes the old one.
 */

export interface TypingsCitation {
  /** 1-based line of node_modules/electron/electron.d.ts. */
  readonly line: number;
  /** Words on that line. */
  readonly text: string;
}

export const TYPINGS = {
  whenReady: { line: 2113, text: 'to checking `app.isReady()` and subscribing to the `ready` event if the app is' },
  openFileEarly: { line: 668, text: 'handle this case (even before the `ready` event is emitted).' },
  openFilePreventDefault: {
    line: 670,
    text: 'You should call `event.preventDefault()` if you want to handle this event.',
  },
  secondInstanceArgv: { line: 813, text: "`argv` is an Array of the second instance's command line arguments, and" },
  secondInstanceAfterReady: {
    line: 825,
    text: 'This event is guaranteed to be emitted after the `ready` event of `app` gets',
  },
  singleInstanceLock: {
    line: 1727,
    text: 'On macOS, the system enforces single instance automatically when users try to',
  },
  activate: {
    line: 98,
    text: 'Emitted when the application is activated. Various actions can trigger this',
  },
  beforeQuit: { line: 281, text: 'Emitted before the application starts closing its windows. Calling' },
  beforeQuitNotOnWindowsSessionEnd: {
    line: 289,
    text: 'On Windows, this event will not be emitted if the app is closed due to',
  },
  quit: { line: 1666, text: 'Try to close all windows. The `before-quit` event will be emitted first. If all' },
  exit: { line: 1255, text: 'All windows will be closed immediately without asking the user, and the' },
  windowAllClosedDefault: {
    line: 1099,
    text: 'If you do not subscribe to this event and all windows are closed, the default',
  },
  registerSchemesBeforeReady: {
    line: 12404,
    text: 'This method can only be used before the `ready` event of the `app`',
  },
  createFromPathEmpty: {
    line: 10631,
    text: 'located at `path`. This method returns an empty image if the `path` does not',
  },
  readyToShow: {
    line: 5158,
    text: 'Emitted when the web page has been rendered (while not being shown) and window',
  },
  showDefault: { line: 4459, text: 'Whether window should be shown when created. Default is `true`.' },
  windowClose: {
    line: 3182,
    text: 'Try to close the window. This has the same effect as a user manually clicking',
  },
  windowClosed: {
    line: 2637,
    text: 'Emitted when the window is closed. After you have received this event you should',
  },
  checkboxToggles: {
    line: 10302,
    text: 'A `checkbox` menu item will toggle the `checked` property on and off when',
  },
  trayClick: { line: 15906, text: 'Emitted when the tray icon is clicked.' },
  trayClickLinux: { line: 15908, text: 'Note that on Linux this event is emitted when the tray icon receives an' },
  notificationClick: { line: 11093, text: 'Emitted when the notification is clicked by the user.' },
  notificationSupported: {
    line: 11276,
    text: 'Whether or not desktop notifications are supported on the current system',
  },
  notificationActivation: {
    line: 11248,
    text: 'Registers a callback to handle all notification activations. The callback is',
  },
  powerShutdown: {
    line: 11651,
    text: 'Emitted when the system is about to reboot or shut down. If the event handler',
  },
  loginItemSameArgs: {
    line: 1414,
    text: 'If you provided `path` and `args` options to `app.setLoginItemSettings`, then',
  },
  loginItemRunKey: {
    line: 1424,
    text: 'at login and its run key is not deactivated. This differs from `openAtLogin` as',
  },
  loginItemEnabled: {
    line: 24948,
    text: '`true` will change the startup approved registry key and `enable / disable` the',
  },
  loginItemArgsWindowsOnly: {
    line: 24941,
    text: 'The command-line arguments to pass to the executable. Defaults to an empty',
  },
  wasOpenedAtLogin: { line: 23372, text: '`true` if the app was opened at login automatically.' },
  loginItemPlatforms: { line: 1438, text: '@platform darwin,win32' },
  loginItemGetter: { line: 1440, text: 'getLoginItemSettings(options?: LoginItemSettingsOptions): LoginItemSettings;' },
  dockMacOnly: {
    line: 2157,
    text: 'A `Dock | undefined` property (`Dock` on macOS, `undefined` on all other',
  },
  dockHideKnownIssue: { line: 8589, text: 'Calling `dock.hide()` within one second of a' },
  dockShow: { line: 8625, text: 'Resolves when the dock icon is shown.' },
  appUserModelId: { line: 1825, text: 'Changes the Application User Model ID to `id`.' },
} as const satisfies Record<string, TypingsCitation>;

/** Electron's documentation, for what electron.d.ts leaves out. */
export const DOCS = {
  browserWindowAfterReady:
    'https://www.electronjs.org/docs/latest/api/browser-window: "This module cannot be used until the ready event of the app module is emitted."',
  protocolAfterReady:
    'https://www.electronjs.org/docs/latest/api/protocol: "All methods unless specified can only be used after the ready event of the app module gets emitted."',
} as const;

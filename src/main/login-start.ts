/**
 * Was this start made by the OS at login (the app then stays in the tray), or by the user?
 *
 * Each OS says it differently, and only these ways work with Electron 45:
 * - Windows: the login item's Run entry passes `--hidden` (`app.setLoginItemSettings({ args })`;
 *   `args` is Windows-only in electron.d.ts `Settings.args`).
 * - Linux: the XDG autostart entry's Exec line passes `--hidden` (src/host/xdg-autostart.ts).
 * - macOS: login items take no arguments (`args` is Windows-only). `openAsHidden` and
 *   `wasOpenedAsHidden` are gone from Electron 45's typings (they never worked on macOS 13+,
 *   where login items are `SMAppService` services). `wasOpenedAtLogin` does work there: since
 *   electron/electron#42411 (Electron 29.4/30.1/31) Electron records it when the app finishes
 *   launching, from the launch Apple Event (`kAEOpenApplication` whose `keyAEPropData` is
 *   `keyAELaunchedAsLogInItem`), which `SMAppService` login items send; electron.d.ts documents
 *   it as macOS-only, with no version caveat. `--hidden` is honoured on macOS too (e.g. a
 *   LaunchAgent or `open -a "Cluvio Agent" --args --hidden`).
 */

export const LOGIN_ARGUMENT = '--hidden';

/** `app.getLoginItemSettings` as far as this decision needs it. */
export type LoginItemReader = () => Pick<Electron.LoginItemSettings, 'wasOpenedAtLogin'>;

export function startedAtLogin(
  platform: NodeJS.Platform,
  argv: readonly string[],
  loginItem: LoginItemReader,
): boolean {
  if (argv.includes(LOGIN_ARGUMENT)) return true;
  // Only macOS fills `wasOpenedAtLogin` (electron.d.ts: "@platform darwin").
  return platform === 'darwin' && loginItem().wasOpenedAtLogin;
}

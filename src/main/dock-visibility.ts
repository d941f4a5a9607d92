/**
 * macOS: the app is a menu-bar app (LSUIElement, no Dock icon), like Tailscale and Docker
 * Desktop, because what it is, is a background connection whose state lives in the menu bar; a
 * Dock icon and a Cmd-Tab entry for an app without a window would lead nowhere. While one of its
 * windows is open, the Dock icon and Cmd-Tab entry are there, so that window can be found and
 * switched to like any other.
 *
 * Electron ignores `dock.hide()` within one second of the previous call (electron.d.ts
 * `Dock.hide`, "Known issue"), so a hide that would come too soon is deferred.
 */
import type { DesktopClock, TimerHandle } from './desktop-electron.js';

/** Electron's workaround: "a setTimeout of 1100ms or more after a previous call". */
export const DOCK_HIDE_GAP_MS = 1_100;

export class DockVisibility {
  readonly #dock: Pick<Electron.Dock, 'show' | 'hide'>;
  readonly #clock: DesktopClock;
  #lastCall = Number.NEGATIVE_INFINITY;
  #pendingHide: TimerHandle | null = null;
  #visible = false;

  /** The Dock icon starts hidden (LSUIElement in Info.plist). */
  constructor(dock: Pick<Electron.Dock, 'show' | 'hide'>, clock: DesktopClock) {
    this.#dock = dock;
    this.#clock = clock;
  }

  /** The number of open windows changed. */
  windowsOpen(count: number): void {
    if (count > 0) {
      this.#pendingHide?.cancel();
      this.#pendingHide = null;
      if (this.#visible) return;
      this.#visible = true;
      this.#lastCall = this.#clock.now();
      void this.#dock.show();
      return;
    }
    if (!this.#visible || this.#pendingHide !== null) return;
    const wait = this.#lastCall + DOCK_HIDE_GAP_MS - this.#clock.now();
    if (wait <= 0) this.#hide();
    else
      this.#pendingHide = this.#clock.setTimeout(() => {
        this.#pendingHide = null;
        this.#hide();
      }, wait);
  }

  #hide(): void {
    this.#visible = false;
    this.#lastCall = this.#clock.now();
    this.#dock.hide();
  }
}

/**
 * The app's two windows, the main window and the log viewer: created on demand through an
 * injected factory, reused while open, and the source of truth for "is this sender ours".
 *
 * A window is created hidden and shown only once its page has rendered (Electron's
 * 'ready-to-show'), so no empty frame flashes: asking to show a window that is still loading
 * shows it when it is ready, not before.
 */
export type WindowKind = 'main' | 'logs';

export interface AppWindow {
  readonly webContentsId: number;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  /** Called once, when the page has rendered and the window can be shown without a flash. */
  onReadyToShow(listener: () => void): void;
  onClosed(listener: () => void): void;
}

interface OpenWindow {
  readonly window: AppWindow;
  ready: boolean;
  /** Shown as soon as it is ready. */
  wanted: boolean;
}

export class WindowManager {
  readonly #create: (kind: WindowKind) => AppWindow;
  readonly #open = new Map<WindowKind, OpenWindow>();
  readonly #countListeners: ((open: number) => void)[] = [];

  constructor(create: (kind: WindowKind) => AppWindow) {
    this.#create = create;
  }

  /** Brings the window of `kind` to the front (once it is ready), creating it if needed. */
  show(kind: WindowKind): AppWindow {
    const entry = this.#open.get(kind);
    if (entry === undefined || entry.window.isDestroyed()) {
      const window = this.#create(kind);
      const created: OpenWindow = { window, ready: false, wanted: true };
      window.onReadyToShow(() => {
        created.ready = true;
        if (created.wanted && !window.isDestroyed()) reveal(window);
      });
      window.onClosed(() => {
        if (this.#open.get(kind) === created) {
          this.#open.delete(kind);
          this.#countChanged();
        }
      });
      this.#open.set(kind, created);
      this.#countChanged();
      return window;
    }
    entry.wanted = true;
    if (entry.ready) reveal(entry.window);
    return entry.window;
  }

  /** Hides every open window (they stay loaded); `show` brings them back. */
  hideAll(): void {
    for (const entry of this.#open.values()) {
      entry.wanted = false;
      if (!entry.window.isDestroyed()) entry.window.hide();
    }
  }

  /** How many windows exist (shown, hidden or still loading). */
  get openCount(): number {
    return this.#open.size;
  }

  /** Told the number of windows whenever a window is created or closed. */
  onOpenCountChange(listener: (open: number) => void): void {
    this.#countListeners.push(listener);
  }

  isOurWebContents(id: number): boolean {
    for (const { window } of this.#open.values()) if (!window.isDestroyed() && window.webContentsId === id) return true;
    return false;
  }

  #countChanged(): void {
    for (const listener of this.#countListeners) listener(this.#open.size);
  }
}

function reveal(window: AppWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

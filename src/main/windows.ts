/**
 * The app's two windows, the main window and the log viewer: created on demand through an
 * injected factory, reused while open, and the source of truth for "is this sender ours".
 */
export type WindowKind = 'main' | 'logs';

export interface AppWindow {
  readonly webContentsId: number;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  onClosed(listener: () => void): void;
}

export class WindowManager {
  readonly #create: (kind: WindowKind) => AppWindow;
  readonly #open = new Map<WindowKind, AppWindow>();

  constructor(create: (kind: WindowKind) => AppWindow) {
    this.#create = create;
  }

  /** Brings the window of `kind` to the front, creating it if needed. */
  show(kind: WindowKind): AppWindow {
    let window = this.#open.get(kind);
    if (window === undefined || window.isDestroyed()) {
      const created = this.#create(kind);
      created.onClosed(() => {
        if (this.#open.get(kind) === created) this.#open.delete(kind);
      });
      this.#open.set(kind, created);
      window = created;
    }
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    return window;
  }

  isOurWebContents(id: number): boolean {
    for (const window of this.#open.values()) if (!window.isDestroyed() && window.webContentsId === id) return true;
    return false;
  }
}

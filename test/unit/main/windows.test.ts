import { describe, expect, it } from 'vitest';
import { type AppWindow, type WindowKind, WindowManager } from '../../../src/main/windows.js';

class RecordingWindow implements AppWindow {
  shown = 0;
  visible = false;
  destroyed = false;
  minimized = false;
  #ready: (() => void)[] = [];
  #closed: (() => void)[] = [];
  constructor(
    readonly kind: WindowKind,
    readonly webContentsId: number,
  ) {}
  show(): void {
    this.shown += 1;
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  onReadyToShow(listener: () => void): void {
    this.#ready.push(listener);
  }
  onClosed(listener: () => void): void {
    this.#closed.push(listener);
  }
  /** Electron's 'ready-to-show': the page has rendered. */
  render(): void {
    for (const l of this.#ready.splice(0)) l();
  }
  close(): void {
    this.destroyed = true;
    for (const l of this.#closed) l();
  }
}

function manager() {
  const created: RecordingWindow[] = [];
  const counts: number[] = [];
  const windows = new WindowManager((kind) => {
    const w = new RecordingWindow(kind, created.length + 10);
    created.push(w);
    return w;
  });
  windows.onOpenCountChange((n) => counts.push(n));
  const first = (): RecordingWindow => {
    const w = created[0];
    if (w === undefined) throw new Error('no window created');
    return w;
  };
  return { created, counts, windows, first };
}

describe('WindowManager', () => {
  it('shows a new window only once its page has rendered, however often it is asked for', () => {
    const { windows, first } = manager();
    windows.show('main');
    windows.show('main');
    expect(first().shown).toBe(0);
    first().render();
    expect(first().shown).toBe(1);
  });

  it('reuses an open window, restores it when minimised, and creates a new one after it closed', () => {
    const { created, counts, windows, first } = manager();
    windows.show('main');
    first().render();
    first().minimized = true;
    expect(windows.show('main')).toBe(first());
    expect(first().minimized).toBe(false);
    expect(first().shown).toBe(2);
    windows.show('logs');
    expect(created.map((w) => w.kind)).toEqual(['main', 'logs']);

    expect(windows.isOurWebContents(10)).toBe(true);
    first().close();
    expect(windows.isOurWebContents(10)).toBe(false);
    expect(windows.show('main')).not.toBe(first());
    expect(created).toHaveLength(3);
    expect(windows.isOurWebContents(99)).toBe(false);
    expect(counts).toEqual([1, 2, 1, 2]);
  });

  it('hides every window at once (quitting), without closing them', () => {
    const { created, windows, first } = manager();
    windows.show('main');
    first().render();
    windows.hideAll();
    expect(first()).toMatchObject({ visible: false, destroyed: false });
    expect(windows.openCount).toBe(1);
    // A window still loading when hidden is not shown when it gets ready.
    windows.show('logs');
    windows.hideAll();
    const logs = created[1];
    logs?.render();
    expect(logs?.shown).toBe(0);
  });
});

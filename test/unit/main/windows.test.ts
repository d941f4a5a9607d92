import { describe, expect, it } from 'vitest';
import { type AppWindow, type WindowKind, WindowManager } from '../../../src/main/windows.js';

class RecordingWindow implements AppWindow {
  shown = 0;
  destroyed = false;
  minimized = false;
  #closed: (() => void)[] = [];
  constructor(
    readonly kind: WindowKind,
    readonly webContentsId: number,
  ) {}
  show(): void {
    this.shown += 1;
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
  onClosed(listener: () => void): void {
    this.#closed.push(listener);
  }
  close(): void {
    this.destroyed = true;
    for (const l of this.#closed) l();
  }
}

describe('WindowManager', () => {
  it('reuses an open window, restores it when minimised, and creates a new one after it closed', () => {
    const created: RecordingWindow[] = [];
    const manager = new WindowManager((kind) => {
      const w = new RecordingWindow(kind, created.length + 10);
      created.push(w);
      return w;
    });
    manager.show('main');
    const first = created[0];
    if (first === undefined) throw new Error('no window created');
    first.minimized = true;
    expect(manager.show('main')).toBe(first);
    expect(first.minimized).toBe(false);
    expect(first.shown).toBe(2);
    manager.show('logs');
    expect(created.map((w) => w.kind)).toEqual(['main', 'logs']);

    expect(manager.isOurWebContents(10)).toBe(true);
    first.close();
    expect(manager.isOurWebContents(10)).toBe(false);
    expect(manager.show('main')).not.toBe(first);
    expect(created).toHaveLength(3);
    expect(manager.isOurWebContents(99)).toBe(false);
  });
});

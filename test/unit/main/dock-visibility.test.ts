import { describe, expect, it } from 'vitest';
import { DOCK_HIDE_GAP_MS, DockVisibility } from '../../../src/main/dock-visibility.js';
import { createElectronDouble } from './support/electron-double.js';
import { ManualClock } from './support/manual-clock.js';

function setup() {
  const clock = new ManualClock();
  const electron = createElectronDouble({ platform: 'darwin', appPath: '/a', userData: '/d', now: () => clock.now() });
  const dock = electron.app.dock;
  if (dock === undefined) throw new Error('macOS has a Dock');
  return { clock, calls: electron.app.dockCalls, visibility: new DockVisibility(dock, clock) };
}

describe('DockVisibility (macOS)', () => {
  it('shows the icon with the first window and hides it with the last, a window open or not', () => {
    const { clock, calls, visibility } = setup();
    visibility.windowsOpen(1);
    visibility.windowsOpen(2);
    clock.advance(5_000);
    visibility.windowsOpen(1);
    visibility.windowsOpen(0);
    expect(calls).toEqual(['show', 'hide']);
  });

  it('a hide too soon after the show waits, so Electron does not drop it; a window in between cancels it', () => {
    const { clock, calls, visibility } = setup();
    visibility.windowsOpen(1);
    visibility.windowsOpen(0);
    clock.advance(DOCK_HIDE_GAP_MS - 1);
    expect(calls).toEqual(['show']);
    clock.advance(1);
    expect(calls).toEqual(['show', 'hide']);
    clock.advance(5_000);
    visibility.windowsOpen(1);
    visibility.windowsOpen(0);
    clock.advance(DOCK_HIDE_GAP_MS / 2);
    visibility.windowsOpen(1);
    clock.advance(DOCK_HIDE_GAP_MS);
    expect(calls).toEqual(['show', 'hide', 'show']);
  });
});

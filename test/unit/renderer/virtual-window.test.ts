import { describe, expect, it } from 'vitest';
import { virtualWindow } from '../../../src/renderer/virtual-window.js';

describe('virtual window', () => {
  it('renders the rows in view plus a margin, padding standing in for the rest', () => {
    expect(virtualWindow(1000, 20, { top: 2000, height: 400 }, 5)).toEqual({
      start: 95,
      end: 126,
      padTop: 1900,
      padBottom: 874 * 20,
    });
    expect(virtualWindow(3, 20, { top: 0, height: 400 }, 5)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
  });

  it('places the rows after a taller (expanded) row lower by its extra height, and keeps the total height', () => {
    const plain = virtualWindow(100, 20, { top: 0, height: 200 }, 0);
    const tall = virtualWindow(100, 20, { top: 0, height: 200 }, 0, { index: 3, height: 120 });
    // 100 px more in the fourth row: five rows fewer fit.
    expect(tall.end).toBe(plain.end - 5);
    expect(tall.padTop + (tall.end - tall.start) * 20 + 100 + tall.padBottom).toBe(100 * 20 + 100);
    // Scrolled past it, the padding above includes it.
    const below = virtualWindow(100, 20, { top: 1000, height: 200 }, 0, { index: 3, height: 120 });
    expect(below.start).toBe(45);
    expect(below.padTop).toBe(45 * 20 + 100);
    expect(below.padTop + (below.end - below.start) * 20 + below.padBottom).toBe(100 * 20 + 100);
    // Inside it, it is the first row rendered.
    expect(virtualWindow(100, 20, { top: 100, height: 50 }, 0, { index: 3, height: 120 }).start).toBe(3);
  });

  it('ignores a tall row that is no longer in the list', () => {
    expect(virtualWindow(3, 20, { top: 0, height: 400 }, 0, { index: 7, height: 200 })).toEqual(
      virtualWindow(3, 20, { top: 0, height: 400 }, 0),
    );
  });
});

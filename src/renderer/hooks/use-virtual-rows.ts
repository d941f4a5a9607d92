import { type RefObject, useEffect, useState } from 'react';
import { type TallRow, virtualWindow, type VirtualWindow } from '../virtual-window.js';

export type { TallRow, VirtualWindow } from '../virtual-window.js';

/**
 * Which of `count` fixed-height rows are visible in the scrolling `container` (plus a margin);
 * `tall`: one row (an expanded log line) is taller than the others, by its measured height.
 */
export function useVirtualRows(
  container: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  overscan = 10,
  tall: TallRow | null = null,
): VirtualWindow {
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const update = (): void => {
      setViewport({ top: element.scrollTop, height: element.clientHeight });
    };
    update();
    element.addEventListener('scroll', update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', update);
      observer.disconnect();
    };
  }, [container]);
  return virtualWindow(count, rowHeight, viewport, overscan, tall);
}

import { type RefObject, useEffect, useState } from 'react';

export interface VirtualWindow {
  readonly start: number;
  readonly end: number;
  readonly padTop: number;
  readonly padBottom: number;
}

/** Which of `count` fixed-height rows are visible in the scrolling `container` (plus a margin). */
export function useVirtualRows(
  container: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  overscan = 10,
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
  const start = Math.max(0, Math.floor(viewport.top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((viewport.top + viewport.height) / rowHeight) + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: Math.max(0, (count - end) * rowHeight) };
}

/**
 * Which rows of a long list to render: only those in view (plus a margin), with padding above
 * and below standing in for the rest. Rows have one height, except at most one taller row (an
 * expanded log line) whose height was measured. No DOM: unit-tested under Node.
 */

export interface VirtualWindow {
  readonly start: number;
  readonly end: number;
  readonly padTop: number;
  readonly padBottom: number;
}

export interface TallRow {
  readonly index: number;
  /** Its whole height (at least the row height). */
  readonly height: number;
}

export function virtualWindow(
  count: number,
  rowHeight: number,
  viewport: { readonly top: number; readonly height: number },
  overscan: number,
  tall: TallRow | null = null,
): VirtualWindow {
  const extra = tall === null || tall.index >= count ? 0 : Math.max(0, tall.height - rowHeight);
  const tallIndex = extra === 0 || tall === null ? -1 : tall.index;
  /** The top of row `i`. */
  const top = (i: number): number => i * rowHeight + (tallIndex >= 0 && i > tallIndex ? extra : 0);
  /** The row at `y` (from the list's top). */
  const rowAt = (y: number): number => {
    if (tallIndex < 0 || y < top(tallIndex)) return Math.floor(y / rowHeight);
    if (y < top(tallIndex) + rowHeight + extra) return tallIndex;
    return Math.floor((y - extra) / rowHeight);
  };
  const start = Math.min(count, Math.max(0, rowAt(viewport.top) - overscan));
  const end = Math.min(count, rowAt(viewport.top + viewport.height) + 1 + overscan);
  const total = count * rowHeight + (tallIndex >= 0 ? extra : 0);
  return { start, end, padTop: top(start), padBottom: Math.max(0, total - top(end)) };
}

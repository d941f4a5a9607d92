/**
 * The drawings: one brand mark (an open ring with a core: the agent holding one connection) in
 * the app icon and in every tray state, where a badge in the lower right says the state.
 *
 * - online: a solid badge;
 * - connecting: a hollow ring;
 * - backing-off ("Retrying"): a circular arrow, cut out of the badge (it used to be a pause
 *   sign, which reads as "paused by me");
 * - disabled: a bar, and the mark faded;
 * - error: an exclamation mark.
 *
 * Colour images (Windows, Linux) paint the mark in a mid blue that reads on light and dark
 * taskbars and the badge in the state's colour; macOS template images are black with alpha
 * (the menu bar tints them), so the states differ by shape alone. Badge glyphs are holes, so
 * they read in one colour too.
 */
import { arc, box, disc, type Layer, minus, type Rgb, ring, type Shape, triangle, union } from './raster.js';

/** The agent statuses (src/shared/agent-status.ts `AGENT_STATUSES`; the tests keep the two equal). */
export const TRAY_STATUSES = ['online', 'connecting', 'backing-off', 'disabled', 'error'] as const;
export type TrayStatus = (typeof TRAY_STATUSES)[number];

export type TrayVariant = 'colour' | 'template';

const MARK = { cx: 0.42, cy: 0.42, r: 0.285, width: 0.135, core: 0.085 } as const;
const BADGE = { cx: 0.735, cy: 0.735, r: 0.235, clearance: 0.065 } as const;

/** The brand mark: a ring open towards the right (a "C"), around a core. */
export function brandMark(cx: number, cy: number, scale: number): Shape {
  return union(arc(ring(cx, cy, MARK.r * scale, MARK.width * scale), cx, cy, 150, 40), disc(cx, cy, MARK.core * scale));
}

/** The region the badge occupies, with the gap that separates it from the mark. */
export const BADGE_AREA: Shape = disc(BADGE.cx, BADGE.cy, BADGE.r + BADGE.clearance);

function retryArrow(): Shape {
  const { cx, cy } = BADGE;
  const r = 0.12;
  const end = 345; // degrees, 0 = up, clockwise: the head points right, across the top
  const rad = (end * Math.PI) / 180;
  const tip: [number, number] = [cx + r * Math.sin(rad), cy - r * Math.cos(rad)];
  const tangent: [number, number] = [Math.cos(rad), Math.sin(rad)];
  const normal: [number, number] = [Math.sin(rad), -Math.cos(rad)];
  const head = 0.085;
  return union(
    arc(ring(cx, cy, r, 0.055), cx, cy, 75, end),
    triangle(
      [tip[0] + tangent[0] * head * 1.2, tip[1] + tangent[1] * head * 1.2],
      [tip[0] + normal[0] * head, tip[1] + normal[1] * head],
      [tip[0] - normal[0] * head, tip[1] - normal[1] * head],
    ),
  );
}

/** The badge of each status (the glyphs are holes in it). */
export function badge(status: TrayStatus): Shape {
  const { cx, cy, r } = BADGE;
  const solid = disc(cx, cy, r);
  switch (status) {
    case 'online':
      return solid;
    case 'connecting':
      return ring(cx, cy, r - 0.04, 0.075);
    case 'backing-off':
      return minus(solid, retryArrow());
    case 'disabled':
      return minus(solid, box(cx - 0.13, cy - 0.033, cx + 0.13, cy + 0.033));
    case 'error':
      return minus(solid, union(box(cx - 0.034, cy - 0.145, cx + 0.034, cy + 0.035), disc(cx, cy + 0.1, 0.04)));
  }
}

const MARK_COLOUR: Rgb = [0x3d, 0x7b, 0xe0];
export const STATUS_COLOURS: Readonly<Record<TrayStatus, Rgb>> = {
  online: [0x1b, 0x9e, 0x4b],
  connecting: [0x2f, 0x9b, 0xe4],
  'backing-off': [0xe0, 0x8a, 0x00],
  disabled: [0x8a, 0x8f, 0x98],
  error: [0xd9, 0x30, 0x36],
};
const BLACK: Rgb = [0, 0, 0];

/** The layers of a tray icon: the mark (with room for the badge) and the badge. */
export function trayLayers(status: TrayStatus, variant: TrayVariant): Layer[] {
  const mark = minus(brandMark(MARK.cx, MARK.cy, 1), BADGE_AREA);
  const markOpacity = status === 'disabled' ? 0.45 : 1;
  return [
    { shape: mark, colour: variant === 'template' ? BLACK : MARK_COLOUR, opacity: markOpacity },
    { shape: badge(status), colour: variant === 'template' ? BLACK : STATUS_COLOURS[status] },
  ];
}

const BRAND_BLUE: Rgb = [0x24, 0x57, 0xc5];
const WHITE: Rgb = [255, 255, 255];

/** The app icon: the white mark on a rounded blue tile. */
export function appIconLayers(): Layer[] {
  const corner = 0.2;
  const half = 0.46;
  const tile: Shape = (x, y) => {
    const qx = Math.abs(x - 0.5) - (half - corner);
    const qy = Math.abs(y - 0.5) - (half - corner);
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - corner;
  };
  return [
    { shape: tile, colour: BRAND_BLUE },
    { shape: brandMark(0.53, 0.5, 0.95), colour: WHITE },
  ];
}

/**
 * Vector shapes on the unit square, rasterised with 4×4 supersampling: a shape is a signed
 * distance function (negative inside), so unions, cut-outs and strokes are a min or a max, and
 * every size comes from the same drawing.
 */
import type { RgbaImage } from './image-formats.js';

/** Signed distance from a point of the unit square ([0,1]², y down) to a shape: negative inside. */
export type Shape = (x: number, y: number) => number;
export type Rgb = readonly [number, number, number];

export const disc =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r;

export const ring =
  (cx: number, cy: number, r: number, width: number): Shape =>
  (x, y) =>
    Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;

export const box =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    Math.max(x0 - x, x - x1, y0 - y, y - y1);

export const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)));

export const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    Math.max(a(x, y), -b(x, y));

/** Keeps the part of `shape` whose angle around (cx, cy) (0 = up, clockwise, degrees) is in [from, to). */
export const arc =
  (shape: Shape, cx: number, cy: number, from: number, to: number): Shape =>
  (x, y) => {
    const angle = ((Math.atan2(x - cx, cy - y) * 180) / Math.PI + 360) % 360;
    const inside = from <= to ? angle >= from && angle < to : angle >= from || angle < to;
    return inside ? shape(x, y) : Math.max(shape(x, y), 0.02);
  };

/** A filled triangle (corners in any order). */
export const triangle = (
  a: readonly [number, number],
  b: readonly [number, number],
  c: readonly [number, number],
): Shape => {
  const edges = [
    [a, b],
    [b, c],
    [c, a],
  ] as const;
  // Orientation, so that every edge's outward side is positive.
  const sign = Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) || 1;
  return (x, y) =>
    Math.max(
      ...edges.map(([p, q]) => {
        const ex = q[0] - p[0];
        const ey = q[1] - p[1];
        return (-sign * (ex * (y - p[1]) - ey * (x - p[0]))) / Math.hypot(ex, ey);
      }),
    );
};

/** One layer of an image: a shape filled with a colour at an opacity. */
export interface Layer {
  readonly shape: Shape;
  readonly colour: Rgb;
  readonly opacity?: number;
}

const SAMPLES = 4;

/** Rasterises `layers` (painted in order, each over the ones before) into a `size`×`size` image. */
export function rasterise(size: number, layers: readonly Layer[]): RgbaImage {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      // Straight-alpha "over" compositing, accumulated premultiplied.
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const layer of layers) {
        let cover = 0;
        for (let sy = 0; sy < SAMPLES; sy += 1) {
          for (let sx = 0; sx < SAMPLES; sx += 1) {
            if (layer.shape((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size) < 0) cover += 1;
          }
        }
        const la = (cover / SAMPLES ** 2) * (layer.opacity ?? 1);
        if (la === 0) continue;
        r = layer.colour[0] * la + r * (1 - la);
        g = layer.colour[1] * la + g * (1 - la);
        b = layer.colour[2] * la + b * (1 - la);
        a = la + a * (1 - la);
      }
      const i = (py * size + px) * 4;
      rgba[i] = a === 0 ? 0 : Math.round(r / a);
      rgba[i + 1] = a === 0 ? 0 : Math.round(g / a);
      rgba[i + 2] = a === 0 ? 0 : Math.round(b / a);
      rgba[i + 3] = Math.round(a * 255);
    }
  }
  return { size, rgba };
}

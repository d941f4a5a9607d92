/**
 * Draws the tray icons (one per agent status, colour and macOS template variants, 1x and 2x) and
 * the app icon as PNGs, with no dependencies: shapes are signed-distance functions, supersampled.
 * After changing a shape, from the repository root:
 *   npx tsc -p build/tsconfig.json && node dist/build/icons/generate-icons.js
 * The PNGs are committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const here = path.resolve('build', 'icons');

/** Signed distance from a point of the unit square to a shape: negative inside. */
type Shape = (x: number, y: number) => number;
type Rgb = readonly [number, number, number];

// ---- PNG encoding (RGBA, 8 bit) ----
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
function png(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- shapes on a unit square [0,1]², distance < 0 inside ----
const disc =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r;
const ring =
  (cx: number, cy: number, r: number, w: number): Shape =>
  (x, y) =>
    Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;
const box =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    Math.max(x0 - x, x - x1, y0 - y, y - y1);
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    Math.min(...shapes.map((s) => s(x, y)));
const minus =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    Math.max(a(x, y), -b(x, y));
/** Points whose angle (0 = up, clockwise) lies outside [from, to) degrees are cut away. */
const arc =
  (shape: Shape, cx: number, cy: number, from: number, to: number): Shape =>
  (x, y) => {
    const angle = (Math.atan2(x - cx, cy - y) * 180) / Math.PI;
    const a = (angle + 360) % 360;
    return a >= from && a < to ? shape(x, y) : Math.max(shape(x, y), 0.02);
  };
const slash =
  (w: number): Shape =>
  (x, y) =>
    Math.abs((x - y) / Math.SQRT2) - w / 2;

const C = 0.5;
const glyphs: Record<string, Shape> = {
  // Filled: connected.
  online: disc(C, C, 0.36),
  // An open ring: on its way.
  connecting: arc(ring(C, C, 0.3, 0.13), C, C, 45, 360),
  // A ring with a pause sign: waiting before the next attempt.
  'backing-off': union(ring(C, C, 0.33, 0.1), box(0.38, 0.34, 0.46, 0.66), box(0.54, 0.34, 0.62, 0.66)),
  // A ring struck through: not running.
  disabled: union(
    minus(ring(C, C, 0.31, 0.11), slash(0.16)),
    minus(slash(0.1), minus(box(0, 0, 1, 1), disc(C, C, 0.37))),
  ),
  // A disc with an exclamation mark cut out: needs attention.
  error: minus(disc(C, C, 0.4), union(box(0.445, 0.2, 0.555, 0.6), disc(C, 0.72, 0.065))),
};

const colours: Record<string, Rgb> = {
  online: [0x1b, 0x9e, 0x4b],
  connecting: [0x2f, 0x6f, 0xe4],
  'backing-off': [0xe0, 0x8a, 0x00],
  disabled: [0x8a, 0x8f, 0x98],
  error: [0xd9, 0x30, 0x36],
};

function render(
  size: number,
  shape: Shape,
  [r, g, b]: Rgb,
  background: { shape: Shape; colour: Rgb } | null = null,
): Buffer {
  const out = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let cover = 0;
      let bgCover = 0;
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (shape(x, y) < 0) cover += 1;
          if (background !== null && background.shape(x, y) < 0) bgCover += 1;
        }
      }
      const a = cover / samples ** 2;
      const ba = bgCover / samples ** 2;
      const i = (py * size + px) * 4;
      if (background === null) {
        out[i] = r;
        out[i + 1] = g;
        out[i + 2] = b;
        out[i + 3] = Math.round(a * 255);
      } else {
        // Glyph over the background tile.
        const [br, bg, bb] = background.colour;
        out[i] = Math.round(r * a + br * (1 - a));
        out[i + 1] = Math.round(g * a + bg * (1 - a));
        out[i + 2] = Math.round(b * a + bb * (1 - a));
        out[i + 3] = Math.round(Math.max(a, ba) * 255);
      }
    }
  }
  return png(size, out);
}

const trayDir = path.join(here, 'tray');
mkdirSync(trayDir, { recursive: true });
for (const [status, shape] of Object.entries(glyphs)) {
  for (const [suffix, size] of [
    ['', 16],
    ['@2x', 32],
  ] as const) {
    writeFileSync(path.join(trayDir, `${status}${suffix}.png`), render(size, shape, colours[status] ?? [0, 0, 0]));
    // macOS template images: black with alpha; the menu bar tints them for light and dark.
    writeFileSync(path.join(trayDir, `${status}Template${suffix}.png`), render(size, shape, [0, 0, 0]));
  }
}

// App icon: a white "connected" glyph on a rounded blue tile.
const roundedTile: Shape = (x, y) => {
  const r = 0.2;
  const qx = Math.abs(x - 0.5) - (0.46 - r);
  const qy = Math.abs(y - 0.5) - (0.46 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const appGlyph = union(ring(C, C, 0.22, 0.08), disc(C, C, 0.08));
writeFileSync(
  path.join(here, 'icon.png'),
  render(512, appGlyph, [255, 255, 255], { shape: roundedTile, colour: [0x24, 0x57, 0xc5] }),
);
console.log(`icons written to ${here}`);

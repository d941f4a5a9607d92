/**
 * Writes every icon the app ships from the drawings in icon-designs.ts, with Node alone:
 *
 *   tray/<status>Template.png, tray/<status>Template@2x.png   macOS menu bar (16 and 32 px, black + alpha)
 *   tray/<status>.ico                                         Windows notification area (16, 20, 24, 32 px:
 *                                                             100, 125, 150 and 200 % scaling)
 *   tray/<status>.png                                         Linux (32 px; panels scale it down)
 *   icon.png (512 px, Linux and windows), icon.icns (macOS, 16–1024 px), icon.ico (Windows, 16–256 px)
 *
 * After changing a drawing, from the repository root:
 *   npx tsc -p build/tsconfig.json && npx node dist/build/icons/generate-icons.js
 * The files are committed; test/unit/main/tray-icons.test.ts checks that they are exactly what
 * this script draws.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeIcns, encodeIco, encodePng, ICNS_TYPES, type RgbaImage } from './image-formats.js';
import { appIconLayers, TRAY_STATUSES, type TrayStatus, trayLayers, type TrayVariant } from './icon-designs.js';
import { rasterise } from './raster.js';

export const TRAY_TEMPLATE_SIZES = [16, 32] as const;
export const TRAY_ICO_SIZES = [16, 20, 24, 32] as const;
export const TRAY_LINUX_SIZE = 32;
export const APP_ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;
export const APP_PNG_SIZE = 512;

export function trayImage(status: TrayStatus, variant: TrayVariant, size: number): RgbaImage {
  return rasterise(size, trayLayers(status, variant));
}

/** The tray icons, by path relative to build/icons. */
export function trayIconFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const status of TRAY_STATUSES) {
    const [small, large] = TRAY_TEMPLATE_SIZES.map((size) => encodePng(trayImage(status, 'template', size)));
    if (small === undefined || large === undefined) throw new Error('two template sizes expected');
    files.set(`tray/${status}Template.png`, small);
    files.set(`tray/${status}Template@2x.png`, large);
    files.set(`tray/${status}.ico`, encodeIco(TRAY_ICO_SIZES.map((size) => trayImage(status, 'colour', size))));
    files.set(`tray/${status}.png`, encodePng(trayImage(status, 'colour', TRAY_LINUX_SIZE)));
  }
  return files;
}

/** The app icons (slow: up to 1024 px), by path relative to build/icons. */
export function appIconFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const appSizes = new Set<number>([...APP_ICO_SIZES, APP_PNG_SIZE, ...ICNS_TYPES.map(([, size]) => size)]);
  const app = new Map([...appSizes].map((size) => [size, rasterise(size, appIconLayers())] as const));
  const appImage = (size: number): RgbaImage => {
    const image = app.get(size);
    if (image === undefined) throw new Error(`no ${size} px app icon`);
    return image;
  };
  files.set('icon.png', encodePng(appImage(APP_PNG_SIZE)));
  files.set('icon.ico', encodeIco(APP_ICO_SIZES.map(appImage)));
  files.set('icon.icns', encodeIcns(new Map(ICNS_TYPES.map(([, size]) => [size, encodePng(appImage(size))]))));
  return files;
}

function main(): void {
  const here = path.resolve('build', 'icons');
  // Drop the previous set, so no icon of a state that no longer exists stays behind.
  rmSync(path.join(here, 'tray'), { recursive: true, force: true });
  mkdirSync(path.join(here, 'tray'), { recursive: true });
  const files = new Map([...trayIconFiles(), ...appIconFiles()]);
  for (const [name, bytes] of files) writeFileSync(path.join(here, name), bytes);
  console.log(`${files.size} icons written to ${here}`);
}

if (import.meta.main) main();

/**
 * The icons the app ships (build/icons), drawn by build/icons/generate-icons.ts: the right file
 * for each OS, the sizes each OS asks for, one brand mark in every state, and exactly what the
 * generator draws (so the committed files cannot drift from their one source).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ICO_SIZES,
  TRAY_ICO_SIZES,
  TRAY_LINUX_SIZE,
  trayIconFiles,
  trayImage,
} from '../../../build/icons/generate-icons.js';
import { BADGE_AREA, TRAY_STATUSES } from '../../../build/icons/icon-designs.js';
import { decodeIcns, decodeIco, decodePng, ICNS_TYPES, type RgbaImage } from '../../../build/icons/image-formats.js';
import { trayIconFileName, trayIconPath } from '../../../src/main/tray-icons.js';
import { AGENT_STATUSES } from '../../../src/shared/agent-status.js';

const iconDir = path.resolve('build', 'icons');
const read = (name: string): Buffer => readFileSync(path.join(iconDir, name));

/** Alpha of the pixels outside the badge (the brand mark's part of the image). */
function markAlpha(image: RgbaImage): number[] {
  const out: number[] = [];
  for (let y = 0; y < image.size; y += 1)
    for (let x = 0; x < image.size; x += 1) {
      // Pixels well clear of the badge and its gap.
      if (BADGE_AREA((x + 0.5) / image.size, (y + 0.5) / image.size) < 2 / image.size) continue;
      out.push(image.rgba[(y * image.size + x) * 4 + 3] ?? 0);
    }
  return out;
}

describe('tray icons', () => {
  it('cover every agent status', () => {
    expect([...TRAY_STATUSES]).toEqual([...AGENT_STATUSES]);
  });

  it('macOS: template images (black + alpha) at 16 and 32 px; Windows: .ico with 16/20/24/32 px; Linux: 32 px PNG', () => {
    for (const status of AGENT_STATUSES) {
      for (const [name, size] of [
        [trayIconFileName(status, 'darwin'), 16],
        [trayIconFileName(status, 'darwin').replace('.png', '@2x.png'), 32],
      ] as const) {
        const image = decodePng(read(path.join('tray', name)));
        expect(image.size, name).toBe(size);
        for (let i = 0; i < image.rgba.length; i += 4)
          expect([image.rgba[i], image.rgba[i + 1], image.rgba[i + 2]], name).toEqual([0, 0, 0]);
      }
      const ico = decodeIco(read(path.join('tray', trayIconFileName(status, 'win32'))));
      expect(ico.map((image) => image.size)).toEqual([...TRAY_ICO_SIZES]);
      expect(TRAY_ICO_SIZES).toEqual([16, 20, 24, 32]);
      expect(decodePng(read(path.join('tray', trayIconFileName(status, 'linux')))).size).toBe(TRAY_LINUX_SIZE);
    }
    expect(trayIconPath('/icons', 'error', 'win32')).toBe(path.join('/icons', 'error.ico'));
    expect(trayIconPath('/icons', 'error', 'linux')).toBe(path.join('/icons', 'error.png'));
  });

  it('carry the same brand mark in every state (faded when disabled), and differ in the badge', () => {
    const colour = (status: (typeof TRAY_STATUSES)[number]) => decodePng(read(path.join('tray', `${status}.png`)));
    const reference = markAlpha(colour('online'));
    expect(reference.filter((a) => a > 128).length).toBeGreaterThan(100);
    for (const status of ['connecting', 'backing-off', 'error'] as const)
      expect(markAlpha(colour(status))).toEqual(reference);
    const faded = markAlpha(colour('disabled'));
    faded.forEach((alpha, i) => {
      expect(Math.abs(alpha - Math.round((reference[i] ?? 0) * 0.45))).toBeLessThanOrEqual(1);
    });
    const images = AGENT_STATUSES.map((status) =>
      read(path.join('tray', trayIconFileName(status, 'darwin'))).toString('base64'),
    );
    expect(new Set(images).size).toBe(AGENT_STATUSES.length);
  });

  it('are exactly what build/icons/generate-icons.ts draws', () => {
    for (const [name, bytes] of trayIconFiles()) expect(read(name).equals(bytes), name).toBe(true);
    expect(trayImage('online', 'template', 16).size).toBe(16);
  });
});

describe('app icon', () => {
  it('PNG for Linux, ICO (16–256 px) for Windows, ICNS (16–1024 px) for macOS', () => {
    expect(decodePng(read('icon.png')).size).toBe(512);
    expect(decodeIco(read('icon.ico')).map((image) => image.size)).toEqual([...APP_ICO_SIZES]);
    expect(decodeIcns(read('icon.icns')).map(({ type, image }) => [type, image.size])).toEqual(
      ICNS_TYPES.map(([type, size]) => [type, size]),
    );
  });
});

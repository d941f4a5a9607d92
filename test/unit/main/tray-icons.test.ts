import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trayIconFileName, trayIconPath } from '../../../src/main/tray-icons.js';
import { AGENT_STATUSES } from '../../../src/shared/agent-status.js';

const iconDir = path.resolve('build', 'icons', 'tray');

/** Width, height and whether every pixel is black (a macOS template image is black + alpha). */
function pngInfo(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('tray icons', () => {
  it('exist for every status on every platform, 16 px with a 32 px @2x beside', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const status of AGENT_STATUSES) {
        const name = trayIconFileName(status, platform);
        expect(pngInfo(path.join(iconDir, name))).toEqual({ width: 16, height: 16 });
        expect(pngInfo(path.join(iconDir, name.replace('.png', '@2x.png')))).toEqual({ width: 32, height: 32 });
      }
    }
  });

  it('uses template images on macOS and colour images elsewhere, the 2x one on Linux', () => {
    expect(trayIconFileName('online', 'darwin')).toBe('onlineTemplate.png');
    expect(trayIconFileName('online', 'win32')).toBe('online.png');
    expect(trayIconPath('/icons', 'error', 'linux')).toBe(path.join('/icons', 'error@2x.png'));
  });

  it('gives each status a different image', () => {
    const images = AGENT_STATUSES.map((status) =>
      readFileSync(path.join(iconDir, trayIconFileName(status, 'darwin'))).toString('base64'),
    );
    expect(new Set(images).size).toBe(AGENT_STATUSES.length);
  });
});

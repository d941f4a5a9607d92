/**
 * Which image the tray shows for each status: coloured PNGs on Windows and Linux, monochrome
 * template images on macOS (the menu bar tints them; Electron picks `@2x` beside each by itself).
 */
import path from 'node:path';
import type { AgentStatus } from '../shared/agent-status.js';

export function trayIconFileName(status: AgentStatus, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `${status}Template.png` : `${status}.png`;
}

/** Linux trays do not scale: give them the 2x image (32 px), which panels shrink as needed. */
export function trayIconPath(iconDir: string, status: AgentStatus, platform: NodeJS.Platform): string {
  const name = trayIconFileName(status, platform);
  return path.join(iconDir, platform === 'linux' ? name.replace(/\.png$/, '@2x.png') : name);
}

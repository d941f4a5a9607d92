/**
 * Which image the tray shows for each status (drawn by build/icons/generate-icons.ts):
 * - macOS: monochrome template images, `<status>Template.png` with `@2x` beside it, which
 *   Electron picks by itself; the menu bar tints them for light and dark.
 * - Windows: `<status>.ico` with 16, 20, 24 and 32 px images, from which Windows takes the one
 *   for the display's scaling (100–200 %) instead of blurring one PNG.
 * - Linux: `<status>.png` at 32 px; panels scale it down to their size.
 */
import path from 'node:path';
import type { AgentStatus } from '../shared/agent-status.js';

export function trayIconFileName(status: AgentStatus, platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return `${status}Template.png`;
    case 'win32':
      return `${status}.ico`;
    default:
      return `${status}.png`;
  }
}

export function trayIconPath(iconDir: string, status: AgentStatus, platform: NodeJS.Platform): string {
  return path.join(iconDir, trayIconFileName(status, platform));
}

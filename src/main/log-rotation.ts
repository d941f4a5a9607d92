/**
 * Keeps the last few log files: `main.log` → `main.1.log` → … → `main.<keep>.log`, the oldest
 * dropped. electron-log calls this synchronously when the file reaches its size limit.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

export function archivePath(file: string, index: number): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.${index}${ext}`);
}

export function rotateLogArchives(file: string, keep: number): void {
  rmSync(archivePath(file, keep), { force: true });
  for (let index = keep - 1; index >= 1; index -= 1) {
    const from = archivePath(file, index);
    if (existsSync(from)) renameSync(from, archivePath(file, index + 1));
  }
  if (keep >= 1 && existsSync(file)) renameSync(file, archivePath(file, 1));
}

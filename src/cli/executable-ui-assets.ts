/**
 * The dashboard's built UI inside the single executable: its files are SEA assets under
 * `dashboard-ui/` (added by build/package-cli), and the dashboard serves files from a folder, so
 * they are written once per run to a new private folder (mode 0700, in `os.tmpdir()`) that is
 * removed when the process exits. The files are the public UI bundle: nothing secret is written.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getAssetKeys, getRawAsset, isSea } from 'node:sea';

export const DASHBOARD_UI_ASSET_PREFIX = 'dashboard-ui/';

let written: string | undefined;

/** The folder holding the UI's files; throws, with what to do, when it cannot be written. */
export function writeDashboardUiAssets(): string {
  if (written !== undefined) return written;
  if (!isSea()) throw new Error('the dashboard UI assets exist only inside the single executable');
  const keys = getAssetKeys().filter((key) => key.startsWith(DASHBOARD_UI_ASSET_PREFIX));
  if (!keys.includes(`${DASHBOARD_UI_ASSET_PREFIX}index.html`))
    throw new Error(
      'this executable was built without the dashboard UI (dashboard-ui/index.html is not among its assets)',
    );
  let dir: string;
  try {
    dir = mkdtempSync(path.join(tmpdir(), 'cluvio-agent-ui-'));
  } catch (error) {
    throw new Error(
      `cannot create a folder for the dashboard UI in ${tmpdir()}: ${error instanceof Error ? error.message : String(error)} (set TMPDIR to a writable folder)`,
      { cause: error },
    );
  }
  process.once('exit', () => {
    rmSync(dir, { recursive: true, force: true });
  });
  for (const key of keys) {
    const relative = key.slice(DASHBOARD_UI_ASSET_PREFIX.length);
    if (relative.split('/').some((part) => part === '' || part === '.' || part === '..'))
      throw new Error(`the dashboard UI asset ${JSON.stringify(key)} has an unusable path`);
    const file = path.join(dir, ...relative.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, new Uint8Array(getRawAsset(key)), { mode: 0o600 });
  }
  written = dir;
  return dir;
}

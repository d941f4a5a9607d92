/**
 * `--dashboard-token-file PATH`: the dashboard's URL token kept in a file, so a bookmarked URL
 * still works after a restart. The first run creates the file owner-only (0600, never through an
 * existing file or link) with a random token; later runs read it back. A file that others could
 * read (or that another user owns) is refused rather than used: whoever reads the token can
 * replace the agent's configuration.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createOwnerOnlyFile } from '../host/owner-only-file.js';

/** Not defined on Windows (where a link is not followed by this open either). */
const NO_FOLLOW = (constants as Partial<typeof constants>).O_NOFOLLOW ?? 0;
const NON_BLOCKING = (constants as Partial<typeof constants>).O_NONBLOCK ?? 0;

/** The token's form, as the dashboard requires it. */
const TOKEN = /^[A-Za-z0-9_-]{16,200}$/;

export type DashboardTokenFile =
  | { readonly ok: true; readonly token: string; readonly created: boolean }
  | { readonly ok: false; readonly error: string };

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens `file` once — not through a link, not waiting on a FIFO — and checks and reads it through
 * that one descriptor: checking the path and then reading it by name again let someone who can
 * rename entries in its folder swap a link to their own file in between (their token, ours to use).
 */
async function readExisting(file: string, platform: NodeJS.Platform): Promise<DashboardTokenFile> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | NO_FOLLOW | NON_BLOCKING);
  } catch (error) {
    // A symlink at the path (O_NOFOLLOW): ELOOP on Linux, EMLINK on FreeBSD, EFTYPE on macOS.
    if (['ELOOP', 'EMLINK', 'EFTYPE'].includes(errorCode(error) ?? '')) return notRegular(file);
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return notRegular(file);
    if (platform !== 'win32') {
      if (process.getuid !== undefined && stats.uid !== process.getuid())
        return { ok: false, error: `${file} belongs to another user: use a token file of your own` };
      if ((stats.mode & 0o077) !== 0)
        return {
          ok: false,
          error: `${file} can be read by other users (mode ${(stats.mode & 0o777).toString(8).padStart(3, '0')}): run chmod 600 ${file}, or delete it to have a new one created`,
        };
    }
    const token = (await handle.readFile('utf8')).trim();
    if (!TOKEN.test(token))
      return {
        ok: false,
        error: `${file} does not hold a dashboard token (16 to 200 characters of A-Z, a-z, 0-9, - and _): delete it to have a new one created`,
      };
    return { ok: true, token, created: false };
  } finally {
    await handle.close();
  }
}

function notRegular(file: string): DashboardTokenFile {
  return { ok: false, error: `${file} is not a regular file: give the path of a file (it is created if missing)` };
}

/** Reads the token from `file`, or creates the file with a new random token. */
export async function dashboardTokenFromFile(
  file: string,
  platform: NodeJS.Platform = process.platform,
): Promise<DashboardTokenFile> {
  const absolute = path.resolve(file);
  try {
    return await readExisting(absolute, platform);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') return { ok: false, error: `cannot read ${absolute}: ${describe(error)}` };
  }
  const token = randomBytes(32).toString('base64url');
  try {
    await createOwnerOnlyFile(absolute, `${token}\n`);
    return { ok: true, token, created: true };
  } catch (error) {
    const code = errorCode(error);
    // Another process created it first: use theirs.
    if (code === 'EEXIST') return readExisting(absolute, platform).catch((again: unknown) => failed(absolute, again));
    if (code === 'ENOENT')
      return { ok: false, error: `cannot create ${absolute}: the folder ${path.dirname(absolute)} does not exist` };
    return failed(absolute, error);
  }
}

function failed(file: string, error: unknown): DashboardTokenFile {
  return { ok: false, error: `cannot create ${file}: ${describe(error)}` };
}

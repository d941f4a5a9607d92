/**
 * Reads a support bundle (.tar.gz) as a user would: extracted with the system's `tar` into a temp
 * folder, each file's text returned, plus the whole decompressed archive for searches that must
 * cover every byte (headers included).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

export interface ExtractedBundle {
  /** Entry name under `cluvio-agent-support/` → its text. */
  readonly files: Readonly<Record<string, string>>;
  /** The decompressed tar, as latin1 text. */
  readonly raw: string;
}

export async function readSupportBundle(file: string): Promise<ExtractedBundle> {
  const out = await mkdtemp(path.join(tmpdir(), 'cluvio-bundle-read-'));
  try {
    await promisify(execFile)('tar', ['-xzf', file, '-C', out]);
    const root = path.join(out, 'cluvio-agent-support');
    const names = (await readdir(root)).sort();
    const files = Object.fromEntries(
      await Promise.all(names.map(async (name) => [name, await readFile(path.join(root, name), 'utf8')] as const)),
    );
    return { files, raw: gunzipSync(await readFile(file)).toString('latin1') };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/**
 * The repository root, found from this file's location whether it runs as TypeScript
 * (bench/fuzz/…, under Vitest) or compiled (dist/bench/fuzz/…): the nearest directory upwards
 * whose package.json is this project's.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'cluvio-agent-desktop';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === PACKAGE_NAME) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${start}`);
    dir = parent;
  }
}

export const repoRoot: string = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

/** `../shared/protocol/vectors.json` beside the repository. */
export const vectorsPath: string = path.resolve(repoRoot, '../shared/protocol/vectors.json');

/** Recorded plaintext sessions (yamux bytes inside TLS), written by `record-captures.ts`. */
export const capturesDir: string = path.join(repoRoot, 'test/fuzz/captures');

/** The real reference agent 1.3.0. */
export const referenceAgentPath: string = path.resolve(repoRoot, '../shared/reference/cluvio-agent');

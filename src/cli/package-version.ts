/**
 * This package's version, read from its package.json (found upwards from this module in src/ and
 * dist/). The package is this repository (`cluvio-agent-desktop`) or the CLI's npm package
 * (`cluvio-agent`, built by `npm run package:cli`). Inside the single executable there is no
 * package.json: the bundler defines the version as a constant instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Replaced by the version string when the CLI is bundled into the single executable (esbuild `define`). */
declare const CLUVIO_AGENT_BUNDLED_VERSION: string | undefined;

const PACKAGE_NAMES: readonly string[] = ['cluvio-agent-desktop', 'cluvio-agent'];

export function packageVersion(): string {
  if (typeof CLUVIO_AGENT_BUNDLED_VERSION === 'string') return CLUVIO_AGENT_BUNDLED_VERSION;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (typeof manifest.name === 'string' && PACKAGE_NAMES.includes(manifest.name)) {
        if (typeof manifest.version === 'string') return manifest.version;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`${PACKAGE_NAMES.join(' or ')}: package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

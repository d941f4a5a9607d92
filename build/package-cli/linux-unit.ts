/**
 * The systemd unit as the Linux packages install it: build/cluvio-agent.service with the
 * packaged executable's absolute path, so the service runs /usr/bin/cluvio-agent even where
 * another `cluvio-agent` (an npm global install in /usr/local/bin) comes first in systemd's
 * search for a bare command name.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './project.ts';

export const UNIT_NAME = 'cluvio-agent.service';
export const PACKAGED_EXECUTABLE = '/usr/bin/cluvio-agent';
/** Where units of packages go: systemd reads /usr/lib/systemd/system on every distribution (Debian's /lib is the same folder since bookworm's merged /usr). */
export const UNIT_DIR = '/usr/lib/systemd/system';
/** The configuration the unit hands to the agent, and the last place of the search order. */
export const CONFIG_PATH = '/etc/cluvio-agent.toml';

export function packagedUnit(): string {
  const source = path.join(repoRoot, 'build', UNIT_NAME);
  const text = readFileSync(source, 'utf8');
  const execStart = /^ExecStart=cluvio-agent /m;
  if (!execStart.test(text))
    throw new Error(`${source}: expected one line "ExecStart=cluvio-agent …" to point at ${PACKAGED_EXECUTABLE}`);
  if (!text.includes(`LoadCredential=cluvio-agent.toml:${CONFIG_PATH}`))
    throw new Error(
      `${source}: the unit no longer reads ${CONFIG_PATH}; update CONFIG_PATH and the README's install steps with it`,
    );
  return text.replace(execStart, `ExecStart=${PACKAGED_EXECUTABLE} `);
}

/**
 * Review (local attacker): `--dashboard-token-file PATH` where someone else can rename entries in
 * PATH's folder — a folder they created in /tmp before the user chose it, a shared group folder.
 * Whoever knows the token controls the dashboard, and with it the agent: import a configuration
 * that points at their gateway and allows every address.
 *
 * The file's checks (a regular file, the user's own, unreadable by others) ran on `lstat(PATH)`,
 * and the token was then read from PATH again by name. An attacker swapping PATH between the
 * user's real file and a symlink to a file of their own won that race: the checks saw the real
 * file, the read followed the link, and the dashboard took the attacker's token. Now the file is
 * opened once (O_NOFOLLOW, non-blocking) and checked and read through that one descriptor.
 *
 * The attacker is a real process renaming entries in a loop; the reads are the CLI's own function.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { link, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dashboardTokenFromFile } from '../../src/cli/dashboard-token-file.js';

/** The attacker: P becomes a symlink to their file, then the user's file again, as fast as rename allows. */
const SWAPPER = `
const fs = require('node:fs');
const [file, real, attackers] = process.argv.slice(2);
const link = file + '.link', back = file + '.back';
process.send('ready');
for (;;) {
  try { fs.symlinkSync(attackers, link); fs.renameSync(link, file); } catch {}
  try { fs.linkSync(real, back); fs.renameSync(back, file); } catch {}
}
`;

let dir: string;
let swapper: ChildProcess | null = null;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cluvio-token-race-'));
});
afterEach(async () => {
  swapper?.kill('SIGKILL');
  swapper = null;
  await rm(dir, { recursive: true, force: true });
});

describe('the dashboard token file while its folder is someone else’s to rename in', () => {
  it('never yields a token from a file the checks did not look at', async () => {
    const file = path.join(dir, 'dashboard.token');
    const created = await dashboardTokenFromFile(file, 'linux');
    if (!created.ok) throw new Error(created.error);
    // The user's file, kept under a second name (the attacker can link it: same folder).
    const real = path.join(dir, 'kept');
    await link(file, real);
    const attackerToken = 'attacker-knows-this-token-0123456789';
    const attackers = path.join(dir, 'attackers.token');
    await writeFile(attackers, `${attackerToken}\n`, { mode: 0o600 });

    const script = path.join(dir, 'swapper.cjs');
    await writeFile(script, SWAPPER);
    const child = fork(script, [file, real, attackers], { stdio: 'ignore' });
    swapper = child;
    await new Promise((resolve) => child.once('message', resolve));

    const outcomes = { user: 0, attacker: 0, refused: 0 };
    for (let attempt = 0; attempt < 3_000; attempt += 1) {
      const read = await dashboardTokenFromFile(file, 'linux');
      if (!read.ok) outcomes.refused += 1;
      else if (read.token === attackerToken) outcomes.attacker += 1;
      else {
        expect(read.token).toBe(created.token);
        outcomes.user += 1;
      }
    }
    process.stderr.write(`token file race: ${JSON.stringify(outcomes)}\n`);
    // The race was really run: both forms of the path were met.
    expect(outcomes.user).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.attacker).toBe(0);
  });
});

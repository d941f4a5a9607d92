/**
 * `npm run demo` as a user runs it (the built `dist/src/cli/demo.js`): the rows come back
 * through gateway and agent, the psql command is printed, and Ctrl-C ends it with status 0.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEMO_REGIONS } from '../../../src/cli/embedded-postgres.js';
import { waitUntil } from '../../support/gateway-fixture.js';
import { repoRoot } from '../../support/vectors.js';

const DEMO = path.join(repoRoot, 'dist/src/cli/demo.js');

describe('npm run demo', () => {
  it('queries PostgreSQL through the tunnel, prints psql, and stops cleanly on Ctrl-C', async () => {
    expect(existsSync(DEMO), `${DEMO} is missing: run \`npm run build\` first`).toBe(true);
    const child = spawn(process.execPath, [DEMO], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const closed = once(child, 'close');
    try {
      await waitUntil(
        () => output.includes('Press Ctrl-C to stop.') || child.exitCode !== null,
        'the demo is up',
        60_000,
      );
      expect(output).toContain('Press Ctrl-C to stop.');
      for (const region of DEMO_REGIONS)
        expect(output).toMatch(new RegExp(`${region.id}\\s+${region.name}\\s+${region.revenue}`));
      expect(output).toMatch(/refused \(AddressNotAllowed\)/);

      // The printed psql command names a route that really reaches the database.
      const match = /psql -h 127\.0\.0\.1 -p (\d+) -U (\S+) (\S+)/.exec(output);
      expect(match).not.toBeNull();
      const client = new pg.Client({
        host: '127.0.0.1',
        port: Number(match?.[1]),
        user: match?.[2],
        database: match?.[3],
      });
      await client.connect();
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM regions');
      await client.end();
      expect(rows).toEqual([{ n: DEMO_REGIONS.length }]);
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
    }
    const [code] = (await closed) as [number | null];
    expect(code).toBe(0);
    expect(output).toContain('Stopped.');
  });
});

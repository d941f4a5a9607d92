/**
 * The container image of packaging/docker: its entrypoint (run-agent.sh, the reference image's
 * settings) runs here beside the single executable, without Docker — it writes the configuration
 * from AGENT_SECRET_KEY and LOCATION / AGENT_GATEWAY_HOST and execs the agent, which then carries
 * a query end to end. Building and running the image itself needs a Docker daemon and is skipped
 * where there is none (as on the CI machine).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/vectors.js';
import { cliRelease, LINUX_X64, type CliRelease } from './cli-release.js';
import { EXPECTED_ROWS, runToEnd, startCommand, startTunnelTarget } from './packaged-agent.js';

const run = promisify(execFile);
const ENTRYPOINT = path.join(repoRoot, 'packaging', 'docker', 'run-agent.sh');
const SECRET = 'bncDYxjP76MI2fCPJilnzDAlpwNFW2F_fWLHIANue0A';
const dockerDaemon = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

let release: CliRelease;
let work = '';
/** /opt/cluvio of the image: the executable and the entrypoint. */
let opt = '';
let home = '';

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', HOME: home, NO_COLOR: '1', ...extra };
}

describe.skipIf(!LINUX_X64)('the container entrypoint (Linux x86-64 artefacts)', () => {
  beforeAll(async () => {
    release = await cliRelease();
    work = await mkdtemp(path.join(tmpdir(), 'cluvio-container-'));
    opt = path.join(work, 'opt', 'cluvio');
    home = path.join(work, 'home', 'cluvio');
    await mkdir(opt, { recursive: true });
    await mkdir(home, { recursive: true });
    await copyFile(release.executable, path.join(opt, 'cluvio-agent'));
    await copyFile(ENTRYPOINT, path.join(opt, 'run-agent.sh'));
    await run('chmod', ['0755', path.join(opt, 'cluvio-agent'), path.join(opt, 'run-agent.sh')]);
  }, 300_000);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('writes ~/.config/cluvio-agent.toml owner-only from AGENT_SECRET_KEY and AGENT_GATEWAY_HOST, and the agent it execs carries a pg query', async () => {
    const target = await startTunnelTarget();
    try {
      const agent = startCommand(
        path.join(opt, 'run-agent.sh'),
        [],
        work,
        env({
          AGENT_SECRET_KEY: target.keys.secretKey.exportBase64url(),
          AGENT_GATEWAY_HOST: 'localhost',
          // The agent's own overrides, to reach the test gateway rather than port 443 with web PKI.
          CLUVIO_AGENT_SERVER_PORT: String(target.gateway.port),
          CLUVIO_AGENT_SERVER_TRUST: target.gateway.ca.certPem,
        }),
      );
      const config = path.join(home, '.config', 'cluvio-agent.toml');
      try {
        await agent.waitForOutput(/INFO cluvio_agent: configuration path=/);
        expect(agent.stdout()).toContain(`configuration path="${config}" rule=$HOME/.config`);
        expect(await target.queryThroughAgent()).toEqual(EXPECTED_ROWS);
      } finally {
        // exec: the agent itself gets docker stop's SIGTERM, and ends with 0.
        expect(await agent.stop()).toBe(0);
      }
      expect(await readFile(config, 'utf8')).toBe(
        `secret-key = "${target.keys.secretKey.exportBase64url()}"\n\n[server]\nhost = "localhost"\n`,
      );
      expect((await stat(config)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(path.join(home, '.config'), { recursive: true, force: true });
      await target.close();
    }
  });

  it('maps LOCATION=eu to the EU gateway, as the reference image, and passes its arguments to the agent', async () => {
    const result = await runToEnd(
      path.join(opt, 'run-agent.sh'),
      ['--version'],
      work,
      env({ AGENT_SECRET_KEY: SECRET, LOCATION: 'eu' }),
    );
    expect(result).toEqual({ code: 0, stdout: `${release.version}\n`, stderr: '' });
    expect(await readFile(path.join(home, '.config', 'cluvio-agent.toml'), 'utf8')).toContain(
      'host = "gateway.eu.cluvio.com"',
    );
    await rm(path.join(home, '.config'), { recursive: true, force: true });
  });

  it('refuses, with exit 1 and what to set, a key pasted with quotes, an unknown LOCATION, no gateway, no key', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ AGENT_SECRET_KEY: `"${SECRET}"`, LOCATION: 'eu' }, 'AGENT_SECRET_KEY must be the secret-key value'],
      [{ AGENT_SECRET_KEY: `${SECRET}"\nallowed-addresses = ["0.0.0.0/0`, LOCATION: 'eu' }, 'AGENT_SECRET_KEY must be'],
      [{ AGENT_SECRET_KEY: SECRET, LOCATION: 'mars' }, 'Invalid location: mars'],
      [{ AGENT_SECRET_KEY: SECRET }, 'LOCATION or AGENT_GATEWAY_HOST must be set'],
      [
        { AGENT_SECRET_KEY: SECRET, AGENT_GATEWAY_HOST: 'gw.example.com"\n[x' },
        'AGENT_GATEWAY_HOST must be a host name',
      ],
      [{}, 'AGENT_SECRET_KEY must be set, or a configuration mounted at /etc/cluvio-agent.toml'],
    ];
    for (const [extra, message] of cases) {
      if (Object.keys(extra).length === 0 && existsSync('/etc/cluvio-agent.toml')) continue;
      const result = await runToEnd(path.join(opt, 'run-agent.sh'), [], work, env(extra));
      expect({ extra, code: result.code }).toEqual({ extra, code: 1 });
      expect(result.stderr).toContain(message);
      expect(existsSync(path.join(home, '.config', 'cluvio-agent.toml'))).toBe(false);
    }
  });

  it.skipIf(!dockerDaemon)(
    'builds the image and runs the executable in it (skipped: no Docker daemon answers here)',
    async () => {
      const tag = `cluvio-agent-test:${process.pid}`;
      await run('docker', ['build', '-f', 'packaging/docker/Dockerfile', '-t', tag, '.'], {
        cwd: repoRoot,
        timeout: 600_000,
      });
      try {
        const { stdout } = await run('docker', [
          'run',
          '--rm',
          '-e',
          `AGENT_SECRET_KEY=${SECRET}`,
          '-e',
          'LOCATION=us',
          tag,
          '--version',
        ]);
        expect(stdout).toBe(`${release.version}\n`);
        const keys = await run('docker', [
          'run',
          '--rm',
          '-e',
          `AGENT_SECRET_KEY=${SECRET}`,
          '-e',
          'LOCATION=us',
          tag,
          '--gen-keypair',
        ]);
        expect(keys.stdout).toMatch(/^public-key: [A-Za-z0-9_-]{43}\nsecret-key: [A-Za-z0-9_-]{43}\n$/);
      } finally {
        await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
      }
    },
    700_000,
  );
});

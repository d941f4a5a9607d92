/**
 * The single executable `release/cluvio-agent` (npm run package:cli), run as on a server without
 * Node.js: copied out of the repository, found on a PATH that holds no `node`, with a clean
 * environment. It must be the same CLI as `node dist/src/cli/agent.js` — output, exit statuses,
 * configuration search with the executable's own folder first — and carry the whole path: a real
 * gateway, a route, PostgreSQL behind the agent.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyOf } from '../../../src/tunnel/auth/key-pair.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { encodeBase64url } from '../../../src/tunnel/auth/base64url.js';
import { closedLoopbackPort } from '../../support/loopback.js';
import { repoRoot } from '../../support/vectors.js';
import { cliRelease, LINUX_X64, type CliRelease } from './cli-release.js';
import { EXPECTED_ROWS, runToEnd, startCommand, startTunnelTarget } from './packaged-agent.js';

const run = promisify(execFile);
const DIST_CLI = path.join(repoRoot, 'dist', 'src', 'cli', 'agent.js');

/**
 * The GNU build ID of an ELF executable: the note the linker writes near the start of the file,
 * which strip and postject keep, so the executable shows which Node binary it was made from.
 */
async function gnuBuildId(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
    // namesz 4, descsz 20, type 3 (NT_GNU_BUILD_ID), name "GNU\0", then the 20-byte ID.
    const at = buffer
      .subarray(0, bytesRead)
      .indexOf(Buffer.from([4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 0x47, 0x4e, 0x55, 0]));
    if (at < 0) throw new Error(`${file} has no GNU build ID note in its first 64 KiB`);
    return buffer.subarray(at + 16, at + 36).toString('hex');
  } finally {
    await handle.close();
  }
}

let release: CliRelease;
let work = '';
/** Where the executable really is (its own folder: first in the search order). */
let appDir: string;
/** The only folder on PATH: a symlink to the executable, as /usr/local/bin links often are. */
let binDir: string;
let home: string;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: binDir, HOME: home, NO_COLOR: '1', ...extra };
}

/** The same command through the repository's CLI on this Node, with the same HOME. */
async function distCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runToEnd(process.execPath, [DIST_CLI, ...args], work, {
    PATH: process.env.PATH ?? '',
    HOME: home,
    NO_COLOR: '1',
  });
}

describe.skipIf(!LINUX_X64)('the single executable (Linux x86-64 artefacts)', () => {
  beforeAll(async () => {
    release = await cliRelease();
    work = await mkdtemp(path.join(tmpdir(), 'cluvio-sea-'));
    appDir = path.join(work, 'opt', 'cluvio');
    binDir = path.join(work, 'bin');
    home = path.join(work, 'home');
    for (const dir of [appDir, binDir, home]) await mkdir(dir, { recursive: true });
    await copyFile(release.executable, path.join(appDir, 'cluvio-agent'));
    await run('chmod', ['0755', path.join(appDir, 'cluvio-agent')]);
    await symlink(path.join(appDir, 'cluvio-agent'), path.join(binDir, 'cluvio-agent'));
  }, 300_000);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  describe('the single executable, on a PATH without node', () => {
    it('has no node to fall back on: PATH holds only the link to the executable, outside the repository', () => {
      const dirs = (env().PATH ?? '').split(path.delimiter);
      expect(dirs).toEqual([binDir]);
      expect(dirs.filter((dir) => existsSync(path.join(dir, 'node')))).toEqual([]);
      expect(path.relative(repoRoot, appDir).startsWith('..')).toBe(true);
    });

    it('is the Node 24 LTS binary npm installed (the node dev dependency), not the machine’s node', async () => {
      const npmNode = path.join(repoRoot, 'node_modules', 'node', 'bin', 'node');
      expect(await gnuBuildId(release.executable)).toBe(await gnuBuildId(npmNode));
      expect((await run(npmNode, ['--version'])).stdout).toMatch(/^v24\./);
      if (existsSync('/usr/bin/node')) expect(await gnuBuildId('/usr/bin/node')).not.toBe(await gnuBuildId(npmNode));
    });

    it('prints the version as the CLI does, exit 0', async () => {
      const result = await runToEnd('cluvio-agent', ['--version'], work, env());
      expect(result).toEqual({ code: 0, stdout: `${release.version}\n`, stderr: '' });
      expect(result).toEqual(await distCli(['--version']));
    });

    it('starts without a word on stderr under the systemd unit’s NODE_OPTIONS (--abort-on-uncaught-exception)', async () => {
      const result = await runToEnd(
        'cluvio-agent',
        ['--version'],
        work,
        env({ NODE_OPTIONS: '--abort-on-uncaught-exception' }),
      );
      expect(result).toEqual({ code: 0, stdout: `${release.version}\n`, stderr: '' });
    });

    it('generates a key pair as the CLI does: two lines, the public key derived from the secret one', async () => {
      const result = await runToEnd('cluvio-agent', ['--gen-keypair'], work, env());
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const match = /^public-key: ([A-Za-z0-9_-]{43})\nsecret-key: ([A-Za-z0-9_-]{43})\n$/.exec(result.stdout);
      expect(match).not.toBeNull();
      const [, publicText = '', secretText = ''] = match ?? [];
      expect(encodeBase64url(publicKeyOf(SecretKey.fromBase64url(secretText)))).toBe(publicText);
    });

    it('has the CLI’s help, and searches its own folder first: the real one, not the link’s', async () => {
      const sea = await runToEnd('cluvio-agent', ['--help'], work, env());
      const cli = await distCli(['--help']);
      expect(sea.code).toBe(0);
      expect(sea.stdout).toContain(`1. ${path.join(appDir, 'cluvio-agent.toml')}  (directory of the executable)`);
      const cliExeDir = path.join(repoRoot, 'dist', 'src', 'cli');
      expect(sea.stdout.replaceAll(appDir, '<exe>')).toBe(cli.stdout.replaceAll(cliExeDir, '<exe>'));
    });

    it('exits as the CLI does: 1 for a missing --config file or no configuration found, 2 for a usage error', async () => {
      for (const args of [['-c', 'absent.toml'], [], ['--bogus'], ['-l', 'cluvio_agent=loud', '-g']]) {
        const sea = await runToEnd('cluvio-agent', args, work, env());
        const cli = await distCli(args);
        expect({ args, code: sea.code }).toEqual({ args, code: cli.code });
        expect(sea.stderr.replaceAll(appDir, '<exe>')).toBe(
          cli.stderr.replaceAll(path.join(repoRoot, 'dist', 'src', 'cli'), '<exe>'),
        );
      }
      expect((await runToEnd('cluvio-agent', ['-c', 'absent.toml'], work, env())).code).toBe(1);
      expect((await runToEnd('cluvio-agent', ['--bogus'], work, env())).code).toBe(2);
    });

    it('finds cluvio-agent.toml next to itself before ~/.config, connects to the gateway and carries a pg query; SIGTERM ends it with 0', async () => {
      const target = await startTunnelTarget();
      try {
        await writeFile(path.join(appDir, 'cluvio-agent.toml'), target.configToml, { mode: 0o600 });
        // A decoy later in the search order: were it used, the agent would never reach the gateway.
        await mkdir(path.join(home, '.config'), { recursive: true });
        await writeFile(
          path.join(home, '.config', 'cluvio-agent.toml'),
          target.configToml.replace(/^port = \d+$/m, `port = ${await closedLoopbackPort()}`),
          { mode: 0o600 },
        );
        const agent = startCommand('cluvio-agent', [], work, env());
        try {
          await agent.waitForOutput(/INFO cluvio_agent: configuration path=/);
          expect(agent.stdout()).toContain(
            `configuration path="${path.join(appDir, 'cluvio-agent.toml')}" rule=directory of the executable`,
          );
          expect(await target.queryThroughAgent()).toEqual(EXPECTED_ROWS);
        } finally {
          expect(await agent.stop()).toBe(0);
        }
        expect(agent.stdout()).toContain('INFO cluvio_agent: shutting down signal=SIGTERM');
        expect(agent.output()).not.toContain(target.keys.secretKey.exportBase64url());
      } finally {
        await rm(path.join(appDir, 'cluvio-agent.toml'), { force: true });
        await rm(path.join(home, '.config'), { recursive: true, force: true });
        await target.close();
      }
    });

    it('serves the dashboard’s UI from inside the executable, and removes the files it wrote when it exits', async () => {
      const tmp = path.join(work, 'tmp');
      await mkdir(tmp);
      const config = path.join(work, 'dashboard.toml');
      await writeFile(
        config,
        `secret-key = "${encodeBase64url(new Uint8Array(32).fill(7))}"\n[server]\nhost = "localhost"\nport = ${await closedLoopbackPort()}\n`,
        { mode: 0o600 },
      );
      const agent = startCommand('cluvio-agent', ['--dashboard', '-c', config], work, env({ TMPDIR: tmp }));
      try {
        await agent.waitForOutput(/dashboard: http:\/\/127\.0\.0\.1:\d+\/\S+\//);
        const url = /dashboard: (http:\/\/\S+)/.exec(agent.stderr())?.[1] ?? '';
        const page = await fetch(url);
        expect(page.status).toBe(200);
        const html = await page.text();
        const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
        expect(script).toBeDefined();
        const bundle = await fetch(new URL(script ?? '', url));
        expect(bundle.status).toBe(200);
        expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect((await readdir(tmp)).filter((name) => name.startsWith('cluvio-agent-ui-'))).toHaveLength(1);
      } finally {
        expect(await agent.stop()).toBe(0);
      }
      expect(await readdir(tmp)).toEqual([]);
    });
  });
});

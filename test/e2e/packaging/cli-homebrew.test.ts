/**
 * The Homebrew formula template (packaging/homebrew/cluvio-agent.rb) against what package:cli
 * builds: its URL for this platform names the archive that was built, and the archive holds
 * what the formula installs. Installing it with brew needs brew, and is skipped where there is
 * none (as on the CI machine).
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/vectors.js';
import { cliRelease, LINUX_X64, type CliRelease } from './cli-release.js';

const run = promisify(execFile);
const TEMPLATE = readFileSync(path.join(repoRoot, 'packaging', 'homebrew', 'cluvio-agent.rb'), 'utf8');
const hasBrew = spawnSync('sh', ['-c', 'command -v brew'], { stdio: 'ignore' }).status === 0;

let release: CliRelease;
let work = '';

describe.skipIf(!LINUX_X64)('the Homebrew formula template (Linux x86-64 artefacts)', () => {
  beforeAll(async () => {
    release = await cliRelease();
    work = await mkdtemp(path.join(tmpdir(), 'cluvio-brew-'));
  }, 300_000);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('has a URL and a sum for each archive the releases have, and its URL here names the archive package:cli built', () => {
    for (const platform of ['aarch64-macos', 'x86_64-macos', 'aarch64-linux', 'x86_64-linux']) {
      expect(TEMPLATE).toContain(`url "@BASE_URL@/cluvio-agent-@VERSION@-${platform}.tar.gz"`);
      expect(TEMPLATE).toContain(`sha256 "@SHA256_${platform.replace('-', '_').toUpperCase()}@"`);
    }
    expect(path.basename(release.archive)).toBe(`cluvio-agent-${release.version}-x86_64-linux.tar.gz`);
  });

  it('gets from the archive the files it installs, and the executable in it passes the formula’s test', async () => {
    expect(TEMPLATE).toContain('bin.install "cluvio-agent"');
    expect(TEMPLATE).toContain('doc.install "THIRD-PARTY-NOTICES.txt"');
    const unpacked = path.join(work, 'unpacked');
    await mkdir(unpacked);
    await run('tar', ['-xzf', release.archive, '-C', unpacked]);
    expect((await readdir(unpacked)).sort()).toEqual(['THIRD-PARTY-NOTICES.txt', 'cluvio-agent']);
    // The formula's test block: --version is the formula's version, --gen-keypair prints a key.
    expect((await run(path.join(unpacked, 'cluvio-agent'), ['--version'])).stdout.trim()).toBe(release.version);
    expect((await run(path.join(unpacked, 'cluvio-agent'), ['--gen-keypair'])).stdout).toMatch(
      /^public-key: [A-Za-z0-9_-]{43}$/m,
    );
    const notices = readFileSync(path.join(unpacked, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    expect(notices).toMatch(/^Node\.js v24\.\d+\.\d+ /m);
    expect(notices).toMatch(/^commander \d+\.\d+\.\d+$/m);
  });

  it.skipIf(!hasBrew)(
    'installs from a local tap and passes brew test (skipped: brew is not installed here)',
    async () => {
      const sha = createHash('sha256').update(readFileSync(release.archive)).digest('hex');
      const formula = TEMPLATE.replaceAll('@BASE_URL@', `file://${path.dirname(release.archive)}`)
        .replaceAll('@VERSION@', release.version)
        .replace(/@SHA256_[A-Z0-9_]+@/g, sha);
      const tap = 'cluvio-test/local';
      const env = { ...process.env, HOMEBREW_NO_AUTO_UPDATE: '1', HOMEBREW_NO_ANALYTICS: '1' };
      await run('brew', ['tap-new', '--no-git', tap], { env });
      try {
        const tapDir = (await run('brew', ['--repository', tap], { env })).stdout.trim();
        await mkdir(path.join(tapDir, 'Formula'), { recursive: true });
        await writeFile(path.join(tapDir, 'Formula', 'cluvio-agent.rb'), formula);
        await run('brew', ['install', `${tap}/cluvio-agent`], { env, timeout: 600_000 });
        await run('brew', ['test', `${tap}/cluvio-agent`], { env, timeout: 120_000 });
        await run('brew', ['uninstall', `${tap}/cluvio-agent`], { env });
      } finally {
        await run('brew', ['untap', '--force', tap], { env }).catch(() => undefined);
      }
    },
    700_000,
  );
});

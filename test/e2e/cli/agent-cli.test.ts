import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publicKeyOf } from '../../../src/tunnel/auth/key-pair.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { encodeBase64url } from '../../../src/tunnel/auth/base64url.js';
import { vectorNamed } from '../../support/vectors.js';
import { closedLoopbackPort } from '../../support/loopback.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = path.join(REPO, 'dist', 'src', 'cli', 'agent.js');
const vector = vectorNamed('config_keypair', 'config');

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let work = '';
let home = '';

/** Runs the built CLI with a clean environment: HOME in a temp dir, no XDG, no colours. */
function runCli(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

async function tomlForClosedPort(): Promise<string> {
  return `secret-key = "${vector.secret_key_b64url}"\n[server]\nhost = "localhost"\nport = ${await closedLoopbackPort()}\n`;
}

/** Runs the agent until its output matches `pattern`, then sends SIGTERM and collects the exit. */
function runCliUntil(
  args: readonly string[],
  pattern: RegExp,
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const check = (): void => {
      if (!signalled && pattern.test(stdout + stderr)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      check();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      check();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

const validToml = `secret-key = "${vector.secret_key_b64url}"\n[server]\nhost = "gateway.example.com"\n`;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`);
});

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cluvio-cli-'));
  home = path.join(work, 'home');
  await mkdir(home);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('cluvio-agent --version', () => {
  it('prints this package’s version and exits 0, before looking at anything else', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version', '-l', 'cluvio_agent=bogus', '-c', 'missing.toml']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('cluvio-agent --gen-keypair', () => {
  it('prints exactly two lines whose secret key yields the printed public key', async () => {
    const result = await runCli(['--gen-keypair']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const match = /^public-key: ([A-Za-z0-9_-]{43})\nsecret-key: ([A-Za-z0-9_-]{43})\n$/.exec(result.stdout);
    expect(match).not.toBeNull();
    const [, publicText = '', secretText = ''] = match ?? [];
    expect(encodeBase64url(publicKeyOf(SecretKey.fromBase64url(secretText)))).toBe(publicText);
  });

  it('generates a different pair every time, also as -g', async () => {
    const [first, second] = await Promise.all([runCli(['-g']), runCli(['--gen-keypair'])]);
    expect(first.stdout).not.toBe(second.stdout);
  });
});

describe('cluvio-agent with a configuration', () => {
  it('refuses a broken file with "config:", the file and the key, exit 1', async () => {
    const file = path.join(work, 'broken.toml');
    await writeFile(
      file,
      `secret-key = "${vector.secret_key_b64url}"\nconnect-timeout = "30"\n[server]\nhost = "gateway.example.com"\n`,
    );
    const result = await runCli(['-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `config: ${file}: connect-timeout: invalid duration "30": time unit needed, for example 30sec or 30ms; expected a number with a unit, e.g. "30s" or "1m 30s"\n`,
    );
  });

  it('prints every problem of the file, the reference’s first line first, one `config:` line each, exit 1', async () => {
    const file = path.join(work, 'five.toml');
    await writeFile(
      file,
      [
        'secret-key = "tooShort"',
        'connect-timeout = "30"',
        'allowed-addresses = ["10.0.0.0/8", "10.0.0.1", "*.*.com"]',
        '[server]',
        'host = "10.1.2.3"',
        '',
      ].join('\n'),
    );
    const result = await runCli(['-c', file]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    const prefix = `config: ${file}: `;
    expect(lines.every((line) => line.startsWith(prefix))).toBe(true);
    expect(lines.map((line) => line.slice(prefix.length).split(': ').slice(0, 2).join(': '))).toEqual([
      'secret-key: invalid length',
      'connect-timeout: invalid duration "30"',
      'allowed-addresses[1]: network syntax error; neither IP address nor DNS name (pattern)',
      'allowed-addresses[2]: network syntax error; neither IP address nor DNS name (pattern)',
      'server.host: invalid hostname',
    ]);
    // An operator of a self-hosted gateway is told where a key comes from, never only "generate one".
    expect(lines[0]).toContain("this agent's key from the cluvio-agent.toml Cluvio gave you");
    expect(result.stderr).not.toContain('tooShort');
  });

  it('when the file has errors, a misspelt key that may be their cause follows them as a warning', async () => {
    const file = path.join(work, 'typo-errors.toml');
    await writeFile(file, ['secret-key = "tooShort"', '[sever]', 'host = "gateway.example.com"', ''].join('\n'));
    const result = await runCli(['-c', file]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^config: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: secret-key: invalid length`),
    );
    expect(lines).toContain(
      `config: ${file}: server: missing configuration field "server": add a [server] table with host = "gateway.eu.cluvio.com"`,
    );
    expect(lines.at(-1)).toMatch(
      /^config: warning: .*: sever: unknown key "sever": the agent ignores it; did you mean "server"\?$/,
    );
  });

  it('warns about a misspelt key (the reference ignores it silently) and runs', async () => {
    const file = path.join(work, 'typo.toml');
    await writeFile(file, `allowed_addresses = ["10.0.0.0/8"]\n${await tomlForClosedPort()}`);
    const result = await runCliUntil(['-c', file], /failed to connect to localhost:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      / WARN cluvio_agent: configuration: unknown key "allowed_addresses": the agent ignores it; did you mean "allowed-addresses"\? key=allowed_addresses/,
    );
  });

  it('refuses an IP literal from CLUVIO_AGENT_SERVER_HOST, naming server.host', async () => {
    const file = path.join(work, 'ok.toml');
    await writeFile(file, validToml);
    const result = await runCli(['-c', file], { CLUVIO_AGENT_SERVER_HOST: '10.1.2.3' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^config: ${escapeRegExp(file)}: server\\.host: invalid hostname: not a DNS name: \`10\\.1\\.2\\.3\``),
    );
  });

  it('refuses a missing --config file with the reference’s message, exit 1', async () => {
    const result = await runCli(['--config', 'absent.toml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('config: configuration file "absent.toml" not found\n');
  });

  it('says "config file not found" when the search finds nothing, listing where it looked, exit 1', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('config file not found: see `cluvio-agent --help` for details');
    expect(result.stderr).toContain(path.join(home, '.config', 'cluvio-agent.toml'));
    expect(result.stderr).toContain('/etc/cluvio-agent.toml');
  });

  it('finds the file in $XDG_CONFIG_HOME, logs it, starts the tunnel and stops cleanly on SIGTERM (exit 0)', async () => {
    const xdg = path.join(work, 'xdg');
    await mkdir(xdg);
    const file = path.join(xdg, 'cluvio-agent.toml');
    await writeFile(file, await tomlForClosedPort());
    const result = await runCliUntil([], /failed to connect to localhost:/, { XDG_CONFIG_HOME: xdg });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z  INFO cluvio_agent: configuration path="${escapeRegExp(file)}" rule=\\$XDG_CONFIG_HOME$`,
      ),
    );
    expect(result.stdout).toMatch(/ WARN cluvio_agent::agent: failed to connect to localhost:\d+ /);
    expect(result.stdout).toContain('INFO cluvio_agent: shutting down signal=SIGTERM');
  });

  it('logs JSON lines with -j and never prints the secret key, even at trace level', async () => {
    const file = path.join(work, 'ok.toml');
    await writeFile(file, await tomlForClosedPort());
    const result = await runCliUntil(['-c', file, '-j', '-l', 'trace'], /failed to connect to localhost:/);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; fields: Record<string, unknown>; target: string });
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      target: 'cluvio_agent',
      fields: { message: 'configuration', path: `"${file}"` },
    });
    expect(
      lines.some(
        (l) =>
          l.level === 'WARN' &&
          l.target === 'cluvio_agent::agent' &&
          String(l.fields.message).startsWith('failed to connect to localhost:'),
      ),
    ).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(vector.secret_key_b64url);
  });
});

describe('cluvio-agent usage errors', () => {
  it('refuses a bad --log filter with exit 2, naming the directive', async () => {
    const result = await runCli(['-l', 'cluvio_agent=loud', '-g']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error: invalid value 'cluvio_agent=loud' for '--log <FILTER>': `cluvio_agent=loud`: error parsing level filter/,
    );
  });

  it('refuses unknown options and arguments with exit 2, like clap', async () => {
    for (const args of [['--bogus'], ['-V'], ['extra']]) {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: /);
    }
  });

  it('describes every option and the search order per OS in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const text of [
      '-c, --config <PATH>',
      '--version',
      '-l, --log <FILTER>',
      '-j, --json',
      '-g, --gen-keypair',
      '--dashboard [ADDRESS]',
      'loopback',
      'ssh -L',
      '-h, --help',
      '$XDG_CONFIG_HOME',
      '%APPDATA%',
      'In `/etc`.',
      path.join(home, '.config', 'cluvio-agent.toml'),
    ]) {
      expect(result.stdout).toContain(text);
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

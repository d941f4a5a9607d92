import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/tunnel/config/config-error.js';
import { loadConfig, type LoadConfigOptions } from '../../../src/tunnel/config/load-config.js';
import { vectorNamed } from '../../support/vectors.js';

const vector = vectorNamed('config_keypair', 'config');
const validToml = (host: string): string => `secret-key = "${vector.secret_key_b64url}"\n[server]\nhost = "${host}"\n`;

let root = '';
let options: LoadConfigOptions;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'cluvio-config-'));
  await mkdir(path.join(root, 'bin'));
  await mkdir(path.join(root, 'home', '.config'), { recursive: true });
  options = { platform: 'linux', exeDir: path.join(root, 'bin'), env: { HOME: path.join(root, 'home') }, homeDir: '' };
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads an explicit --config path as given', async () => {
    const file = path.join(root, 'mine.toml');
    await writeFile(file, validToml('explicit.example.com'));
    const loaded = await loadConfig({ ...options, explicitPath: file });
    expect(loaded.file).toBe(file);
    expect(loaded.rule).toBe('command line (--config)');
    expect(loaded.config.server.host).toBe('explicit.example.com');
    expect(loaded.config.path).toBe(file);
  });

  it('refuses a missing --config file with the reference’s words', async () => {
    const file = path.join(root, 'absent.toml');
    const error = await rejection(loadConfig({ ...options, explicitPath: file }));
    expect(error.reason).toBe('not-found');
    expect(error.message).toBe(`configuration file "${file}" not found`);
  });

  it('treats a directory given as --config as not found', async () => {
    const error = await rejection(loadConfig({ ...options, explicitPath: root }));
    expect(error.message).toBe(`configuration file "${root}" not found`);
  });

  it('finds the first regular file in search order and says which rule found it', async () => {
    await writeFile(path.join(root, 'home', '.config', 'cluvio-agent.toml'), validToml('user.example.com'));
    const fromUser = await loadConfig(options);
    expect(fromUser.rule).toBe('$HOME/.config');
    expect(fromUser.config.server.host).toBe('user.example.com');

    await writeFile(path.join(root, 'bin', 'cluvio-agent.toml'), validToml('exe.example.com'));
    const fromExe = await loadConfig(options);
    expect(fromExe.rule).toBe('directory of the executable');
    expect(fromExe.file).toBe(path.join(root, 'bin', 'cluvio-agent.toml'));
  });

  it('skips a directory named cluvio-agent.toml and follows symlinks to files', async () => {
    await mkdir(path.join(root, 'bin', 'cluvio-agent.toml'));
    await writeFile(path.join(root, 'real.toml'), validToml('linked.example.com'));
    await symlink(path.join(root, 'real.toml'), path.join(root, 'home', '.config', 'cluvio-agent.toml'));
    const loaded = await loadConfig(options);
    expect(loaded.rule).toBe('$HOME/.config');
    expect(loaded.config.server.host).toBe('linked.example.com');
  });

  it('says "config file not found" with every place it looked when the search finds nothing', async () => {
    const error = await rejection(loadConfig(options));
    expect(error.reason).toBe('not-found');
    expect(error.message).toBe('config file not found: see `cluvio-agent --help` for details');
    expect(error.searched.map((candidate) => candidate.path)).toEqual([
      path.join(root, 'bin', 'cluvio-agent.toml'),
      path.join(root, 'home', '.config', 'cluvio-agent.toml'),
      '/etc/cluvio-agent.toml',
    ]);
  });

  it('applies environment overrides from the given environment only', async () => {
    const file = path.join(root, 'mine.toml');
    await writeFile(file, validToml('file.example.com'));
    const loaded = await loadConfig({
      ...options,
      explicitPath: file,
      env: { CLUVIO_AGENT_SERVER_HOST: 'env.example.com' },
    });
    expect(loaded.config.server.host).toBe('env.example.com');
  });

  it('refuses a file that is not UTF-8', async () => {
    const file = path.join(root, 'latin1.toml');
    await writeFile(file, Buffer.from([0x73, 0x3d, 0x22, 0xff, 0x22, 0x0a]));
    const error = await rejection(loadConfig({ ...options, explicitPath: file }));
    expect(error.reason).toBe('unreadable');
    expect(error.message).toBe(`${file}: the configuration file is not valid UTF-8 text; save it as UTF-8`);
  });
});

/**
 * A configuration file holding the secret key in any TOML spelling — bare, quoted and escaped
 * key names, multi-line and literal values, line continuations, `\u` escapes, an unclosed
 * string, a key typed one character short or with a space in it, an older key commented out,
 * the key again in a comment, breakage elsewhere (test/security/support/secret-corpus.ts, a
 * fixed-seed sample) — and nothing the agent makes of it holds the key: searched for as
 * base64url, base64, hex and every 12-character piece, also with continuations joined and
 * escapes decoded. Searched in:
 *
 *   - `cluvio-agent -c FILE` at trace level, text and JSON, stdout and stderr (the config error,
 *     or the first connection attempts when the file parses);
 *   - `cluvio-agent diagnose -c FILE --json --bundle B`: the report and the bundle, extracted;
 *   - the host ("Save support bundle" of the app and the dashboard) on that file: the bundle,
 *     every dashboard reply and event stream.
 *
 * Beside the reference agent 1.3.0: its TOML syntax errors quote the offending line, so a key
 * written without quotes appears in its output; ours name the line and column only.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../../src/host/dashboard-server.js';
import { createTunnelAgentHost } from '../../src/host/tunnel-agent-host.js';
import { SecretKey } from '../../src/tunnel/auth/secret-key.js';
import { REFERENCE_AGENT_PATH } from '../support/reference-agent.js';
import { readSupportBundle } from '../support/support-bundle.js';
import { closedLoopbackPort } from '../support/loopback.js';
import { CLI, spawnCli } from '../e2e/ui/support/cli-process.js';
import { readEvents } from '../unit/host/support/http.js';
import { type KeyedConfig, keySpellings, leaks, sampleKeyedConfigs } from './support/secret-corpus.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
});

/** Two hand-made files that parse (the reference agent reads both), then a generated sample. */
function validSpellings(): KeyedConfig[] {
  const key = SecretKey.generate().exportBase64url();
  const old = SecretKey.generate().exportBase64url();
  return [
    {
      text: `# the key before: ${old}\n"secret\\u002dkey" = """\\\n  ${key.slice(0, 20)}\\\n  ${key.slice(20)}"""\n[server]\nhost = "gw.example.com"\n`,
      keys: [key, old],
    },
    { text: `'secret-key' = '''${key}''' # ${key}\n[server]\nhost = "gw.example.com"\n`, keys: [key] },
  ];
}

const CONFIGS = [...validSpellings(), ...sampleKeyedConfigs(10)];

function expectNoKey(text: string, config: KeyedConfig, where: string): void {
  const leaked = leaks(text, config.keys.flatMap(keySpellings));
  expect(leaked, `${where} contains ${JSON.stringify(leaked)}; the file was:\n${config.text}`).toBeNull();
}

/** The corpus file aimed at a closed port on this machine (nothing leaves loopback). */
async function writeConfig(dir: string, name: string, config: KeyedConfig): Promise<string> {
  const port = await closedLoopbackPort();
  const file = path.join(dir, name);
  await writeFile(file, config.text.replace('host = "gw.example.com"', `host = "localhost"\nport = ${port}`), {
    mode: 0o600,
  });
  return file;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-key-everywhere-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('a secret key in any TOML spelling never appears in what the agent makes of its file', () => {
  it('the CLI’s output, text and JSON, at trace level (the config error, or a run when the file parses)', async () => {
    const dir = await tempDir();
    let refused = 0;
    for (const [index, config] of CONFIGS.entries()) {
      const file = await writeConfig(dir, `agent-${index}.toml`, config);
      for (const extra of [[], ['-j']]) {
        const cli = spawnCli(['-c', file, '-l', 'trace', ...extra], { HOME: dir });
        cleanups.push(() => cli.stop('SIGKILL'));
        const line = await cli.waitForLine(/config: |failed to connect|"failed to connect/, 20_000);
        if (line.includes('config: ')) refused += 1;
        await cli.stop();
        expectNoKey(`${cli.stdout()}\n${cli.stderr()}`, config, `case ${index} (${extra.join(' ') || 'text'})`);
      }
    }
    // Both kinds were tried: files refused and files run.
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(CONFIGS.length * 2);
  }, 180_000);

  it('beside the reference agent: it quotes the line of a TOML syntax error (a key written without quotes appears); ours names line and column only', async () => {
    const dir = await tempDir();
    const key = SecretKey.generate().exportBase64url();
    const config: KeyedConfig = { text: `secret-key = ${key}\n[server]\nhost = "gw.example.com"\n`, keys: [key] };
    const file = await writeConfig(dir, 'bare-key.toml', config);
    const outputs: string[] = [];
    for (const command of [[REFERENCE_AGENT_PATH], [process.execPath, CLI]]) {
      const [executable = '', ...leading] = command;
      const child = spawn(executable, [...leading, '-c', file, '-l', 'trace'], {
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      await once(child, 'close');
      outputs.push(output);
    }
    const [reference = '', ours = ''] = outputs;
    expect(reference).toMatch(/config: TOML parse error at line 1/);
    expect(leaks(reference, keySpellings(key))).not.toBeNull();
    expect(ours).toMatch(/config: .*TOML parse error at line 1, column \d+/);
    expectNoKey(ours, config, 'our error');
  }, 60_000);

  it('diagnose --json and the bundle it writes', async () => {
    const dir = await tempDir();
    for (const [index, config] of CONFIGS.entries()) {
      const file = await writeConfig(dir, `agent-${index}.toml`, config);
      const bundle = path.join(dir, `bundle-${index}.tar.gz`);
      const cli = spawnCli(['diagnose', '-c', file, '--json', '--skip-handshake', '--bundle', bundle], { HOME: dir });
      cleanups.push(() => cli.stop('SIGKILL'));
      const exit = await cli.exited;
      expect(exit.code, cli.stderr()).toBe(1); // the file is refused, or the closed port is
      expectNoKey(`${cli.stdout()}\n${cli.stderr()}`, config, `case ${index}: the report`);
      const extracted = await readSupportBundle(bundle);
      expect(extracted.files['cluvio-agent.toml']).toMatch(/^# The configuration/);
      expectNoKey([...Object.values(extracted.files), extracted.raw].join('\n'), config, `case ${index}: the bundle`);
    }
  }, 180_000);

  it('the host on that file: "Save support bundle", every dashboard reply and event stream', async () => {
    const dir = await tempDir();
    for (const [index, config] of CONFIGS.entries()) {
      const file = await writeConfig(dir, `agent-${index}.toml`, config);
      const home = path.join(dir, `home-${index}`);
      const host = createTunnelAgentHost({
        appVersion: '0.1.0-test',
        transport: 'dashboard',
        search: { platform: 'linux', env: { HOME: home }, homeDir: home, exeDir: path.join(dir, 'bin') },
        configPath: file,
        supportBundle: { dir: path.join(dir, `bundles-${index}`) },
      });
      cleanups.push(() => host.close());
      const dashboard = await startDashboard({ api: host });
      cleanups.push(() => dashboard.close());
      const events = (['snapshot', 'logs'] as const).map((topic) =>
        readEvents(`${dashboard.url}api/events/${topic}`, 1_000_000).catch(() => []),
      );
      await host.start();
      const served: string[] = [];
      for (const name of ['getSnapshot', 'diagnose', 'saveSupportBundle', 'getLogs']) {
        const response = await fetch(`${dashboard.url}api/call/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(name === 'getLogs' ? { arg: { level: 'trace', text: '' } } : {}),
        });
        served.push(await response.text());
      }
      const saved = JSON.parse(served[2] ?? '') as { ok: boolean; value: { ok: boolean; path: string } };
      expect(saved.value.ok, served[2]).toBe(true);
      const bundle = await readSupportBundle(saved.value.path);
      await dashboard.close();
      await host.close();
      expectNoKey(served.join('\n'), config, `case ${index}: the dashboard’s replies`);
      expectNoKey(JSON.stringify(await Promise.all(events)), config, `case ${index}: the event streams`);
      expectNoKey([...Object.values(bundle.files), bundle.raw].join('\n'), config, `case ${index}: the bundle`);
    }
  }, 180_000);
});

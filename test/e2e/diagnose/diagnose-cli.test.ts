/**
 * `cluvio-agent diagnose` as a user runs it, against a real gateway (and a real proxy): the
 * report's lines for a healthy setup and for each failure a user meets (no configuration, nothing
 * listening, an untrusted certificate, an unknown or disabled key, a proxy that wants credentials
 * or refuses the port), what the key check does to an agent already running, and the support
 * bundle, extracted with the system's `tar` and searched for every secret.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { generateCertificateAuthority } from '../../../src/gateway/certificates.js';
import type { DiagnoseReport } from '../../../src/shared/diagnose-report.js';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { type Cleanups, startOurAgent } from '../../support/agent-fixture.js';
import {
  type AgentConfigOptions,
  type GatewayFixture,
  startGatewayFixture,
  waitUntil,
} from '../../support/gateway-fixture.js';
import { closedLoopbackPort, listenLoopback } from '../../support/loopback.js';
import { type CliExit, spawnCli } from '../ui/support/cli-process.js';
import { PROXY_CASES } from '../proxy/support/proxy-kinds.js';
import type { ProxyKind, ProxyOptions, TestProxy } from '../proxy/support/test-proxy.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(): Promise<GatewayFixture> {
  const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
  cleanups.push(() => fixture.close());
  return fixture;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-diagnose-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A proxy of `kind` (the npm one, tinyproxy), closed after the test. */
async function proxy(kind: ProxyKind, options: ProxyOptions = {}): Promise<TestProxy> {
  const started = await kind.start(options);
  cleanups.push(() => started.close());
  return started;
}

interface Run {
  readonly exit: CliExit;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cluvio-agent diagnose …` to its end with only `env` (plus HOME in a temp dir). */
async function diagnose(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const home = await tempDir();
  const cli = spawnCli(['diagnose', ...args], { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), ...env });
  cleanups.push(() => cli.stop('SIGKILL'));
  const exit = await cli.exited;
  return { exit, stdout: cli.stdout(), stderr: cli.stderr() };
}

async function configFile(
  fixture: GatewayFixture,
  keys = fixture.addAgent(),
  options: AgentConfigOptions = {},
): Promise<string> {
  const file = path.join(await tempDir(), 'cluvio-agent.toml');
  await writeFile(file, fixture.agentConfigToml(keys, options), { mode: 0o600 });
  return file;
}

/** The line of the step titled `title` (its first line). */
function stepLine(output: string, title: string): string {
  const line = output
    .split('\n')
    .find((candidate) => / {2}/.test(candidate.slice(0, 6)) && candidate.slice(6).startsWith(`${title}:`));
  if (line === undefined) throw new Error(`no step "${title}" in:\n${output}`);
  return line;
}

describe('cluvio-agent diagnose', () => {
  it('a healthy setup: every step passes, with the file and its rule, the certificate chain and its anchor', async () => {
    const fixture = await gateway();
    const { server, port: db } = await listenLoopback((socket) => socket.end());
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const keys = fixture.addAgent();
    // Found by the search order, not --config.
    const home = await tempDir();
    await mkdir(path.join(home, 'xdg'));
    await writeFile(
      path.join(home, 'xdg', 'cluvio-agent.toml'),
      fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32', '10.0.0.0/8'] }),
      { mode: 0o600 },
    );
    const run = await diagnose(['--target', `127.0.0.1:${db}`], {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, 'xdg'),
    });

    expect(run.exit).toEqual({ code: 0, signal: null });
    const out = run.stdout;
    expect(stepLine(out, 'Configuration')).toBe(
      `PASS  Configuration: ${path.join(home, 'xdg', 'cluvio-agent.toml')} (found by: $XDG_CONFIG_HOME)`,
    );
    expect(out).toContain(`      agent ID: ${keys.agentId}`);
    expect(stepLine(out, 'Server name resolves')).toMatch(/^PASS {2}Server name resolves: localhost → 127\.0\.0\.1/);
    expect(stepLine(out, 'TCP connection')).toMatch(
      new RegExp(`^PASS {2}TCP connection: connected to 127\\.0\\.0\\.1:${fixture.port} in \\d+ ms$`),
    );
    expect(stepLine(out, 'TLS 1.3 and certificate')).toBe(
      'PASS  TLS 1.3 and certificate: TLS 1.3 handshake with localhost; the certificate verifies',
    );
    expect(out).toContain('      subject: CN=localhost');
    expect(out).toContain('      issuer: CN=Gateway test CA');
    expect(out).toMatch(/ {6}valid: .* \(expires in \d+ days\)/);
    expect(out).toContain('      trust anchor: [server] trust certificate 1 of 1 (CN=Gateway test CA)');
    expect(stepLine(out, "Gateway accepts the agent's key")).toBe(
      `PASS  Gateway accepts the agent's key: the gateway accepted agent ${keys.agentId}`,
    );
    expect(stepLine(out, 'Reach 127.0.0.1/32 (allowed-addresses)')).toBe(
      `PASS  Reach 127.0.0.1/32 (allowed-addresses): reachable: 127.0.0.1:${db} accepts connections`,
    );
    expect(stepLine(out, `Reach 127.0.0.1:${db}`)).toBe(
      `PASS  Reach 127.0.0.1:${db}: allowed, and 127.0.0.1:${db} accepts connections`,
    );
    expect(stepLine(out, 'Allowed ranges and patterns')).toBe(
      'SKIP  Allowed ranges and patterns: not one machine each, nothing to connect to: 10.0.0.0/8',
    );
    expect(out).toMatch(/^no problem found \(7 passed, 0 warnings, 0 failed, 1 skipped\)$/m);
    expect(out).toContain(
      "note: The key check connects like the agent does. The gateway keeps only an agent's newest connection",
    );
    expect(out).not.toContain(keys.secretKey.exportBase64url());
  });

  it('no configuration anywhere: the search locations are listed, with what to do; exit 1', async () => {
    const run = await diagnose([]);
    expect(run.exit.code).toBe(1);
    expect(stepLine(run.stdout, 'Configuration')).toBe(
      'FAIL  Configuration: config file not found: see `cluvio-agent --help` for details',
    );
    expect(run.stdout).toMatch(/looked for .*cluvio-agent\.toml \(\$XDG_CONFIG_HOME\)/);
    expect(run.stdout).toContain(
      'fix: Put the cluvio-agent.toml downloaded from Cluvio in one of these places, or give its path with --config.',
    );
  });

  it('nothing listens on the server port: TCP fails with ECONNREFUSED and the port to check; later steps are skipped', async () => {
    const fixture = await gateway();
    const file = await configFile(fixture, undefined, { port: await closedLoopbackPort() });
    const run = await diagnose(['-c', file]);
    expect(run.exit.code).toBe(1);
    expect(stepLine(run.stdout, 'TCP connection')).toMatch(/^FAIL {2}TCP connection: cannot reach localhost port \d+/);
    expect(run.stdout).toMatch(/ECONNREFUSED/);
    expect(run.stdout).toMatch(/fix: Nothing accepts connections on localhost port \d+: check \[server\] port/);
    expect(stepLine(run.stdout, 'TLS 1.3 and certificate')).toBe(
      'SKIP  TLS 1.3 and certificate: not checked: TCP does not reach the gateway',
    );
    expect(stepLine(run.stdout, "Gateway accepts the agent's key")).toBe(
      "SKIP  Gateway accepts the agent's key: not checked: TCP does not reach the gateway",
    );
  });

  it('a certificate from a CA not in [server] trust: UnknownIssuer, what the server presented, and the fix', async () => {
    const fixture = await gateway();
    const other = await generateCertificateAuthority('Unrelated CA');
    const file = await configFile(fixture, undefined, { trustPem: other.certPem });
    const run = await diagnose(['-c', file]);
    expect(run.exit.code).toBe(1);
    expect(stepLine(run.stdout, 'TLS 1.3 and certificate')).toBe(
      'FAIL  TLS 1.3 and certificate: the TLS handshake with localhost failed: unable to verify the first certificate',
    );
    expect(run.stdout).toContain('      the server presented (not trusted):');
    expect(run.stdout).toContain('        issuer: CN=Gateway test CA');
    expect(run.stdout).toContain(
      'fix: The certificate is not signed by a CA this agent trusts (UnknownIssuer): for a private gateway, put its CA certificate (PEM) into [server] trust',
    );
  });

  it('a key the gateway does not know: Terminate Unauthorized with the fix', async () => {
    const fixture = await gateway();
    const file = await configFile(fixture, generateKeyPair());
    const run = await diagnose(['-c', file]);
    expect(run.exit.code).toBe(1);
    expect(stepLine(run.stdout, "Gateway accepts the agent's key")).toBe(
      "FAIL  Gateway accepts the agent's key: the gateway does not accept this key (Terminate: Unauthorized)",
    );
    expect(run.stdout).toContain('fix: The agent ID (public key) is not registered, or its agent was deleted');
  });

  it('a disabled agent: Terminate Disabled, enable it', async () => {
    const fixture = await gateway();
    const file = await configFile(fixture, fixture.addAgent('paused', 'disabled'));
    const run = await diagnose(['-c', file]);
    expect(stepLine(run.stdout, "Gateway accepts the agent's key")).toBe(
      "FAIL  Gateway accepts the agent's key: the gateway says this agent is disabled (Terminate: Disabled)",
    );
    expect(run.stdout).toContain('fix: Enable the agent in Cluvio.');
  });

  it('beside a running agent: the key check displaces it once (as the note says); --skip-handshake leaves it alone', async () => {
    const fixture = await gateway();
    const keys = fixture.addAgent();
    await startOurAgent(fixture, keys, {}, cleanups);
    const live = await fixture.gateway.waitForAgent(keys.agentId);
    const file = await configFile(fixture, keys);

    const skipped = await diagnose(['-c', file, '--skip-handshake']);
    expect(skipped.exit.code).toBe(0);
    expect(stepLine(skipped.stdout, "Gateway accepts the agent's key")).toBe(
      "SKIP  Gateway accepts the agent's key: not checked: --skip-handshake (an agent running with this configuration is left alone)",
    );
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(live.id);
    expect(fixture.gateway.agents()[0]?.connections).toHaveLength(1);

    const accepted: number[] = [];
    fixture.gateway.on('agent-accepted', (event) => {
      if (event.agentId === keys.agentId) accepted.push(event.connectionId);
    });
    const checked = await diagnose(['-c', file]);
    expect(checked.exit.code).toBe(0);
    expect(checked.stdout).toContain('loses its connection to the check and reconnects once');
    // The probe's connection displaced the running agent's, which then reconnected by itself.
    await waitUntil(() => accepted.length >= 2, 'the running agent reconnected');
    const [probe, reconnected] = accepted;
    await waitUntil(() => fixture.gateway.agents()[0]?.currentConnectionId === reconnected, 'the reconnection current');
    expect(new Set([live.id, probe, reconnected]).size).toBe(3);
    expect(fixture.gateway.agents()[0]?.online).toBe(true);
  });

  it.for(PROXY_CASES)(
    'through a proxy that wants credentials ($title): 407 without them, a pass with them; TLS and the key are checked inside the tunnel',
    async ({ kind }, { skip }) => {
      skip(kind.unavailable !== undefined, kind.unavailable);
      const fixture = await gateway();
      const via = await proxy(kind, { basicAuth: { user: 'diag-user', password: 'Diag-pw-1234' } });
      const file = await configFile(fixture);

      const refused = await diagnose(['-c', file], { HTTPS_PROXY: via.url });
      expect(refused.exit.code).toBe(1);
      expect(refused.stdout).toContain(`proxy: http://127.0.0.1:${via.port} (from HTTPS_PROXY)`);
      expect(stepLine(refused.stdout, 'Server name resolves')).toBe(
        'PASS  Server name resolves: 127.0.0.1 is an IP address (nothing to resolve)',
      );
      expect(stepLine(refused.stdout, 'TCP connection')).toMatch(
        new RegExp(`^PASS {2}TCP connection: connected to 127\\.0\\.0\\.1:${via.port} \\(the proxy\\)`),
      );
      expect(stepLine(refused.stdout, 'Proxy tunnel (CONNECT)')).toMatch(
        /^FAIL {2}Proxy tunnel \(CONNECT\): proxy error: 407 Proxy Authentication Required/,
      );
      expect(refused.stdout).toContain('fix: The proxy requires a user and password: give them in the proxy URL');
      expect(stepLine(refused.stdout, 'TLS 1.3 and certificate')).toBe(
        'SKIP  TLS 1.3 and certificate: not checked: the proxy opens no tunnel',
      );

      const passed = await diagnose(['-c', file, '--proxy', `http://diag-user:Diag-pw-1234@127.0.0.1:${via.port}`]);
      expect(passed.exit.code).toBe(0);
      expect(stepLine(passed.stdout, 'Proxy tunnel (CONNECT)')).toBe(
        `PASS  Proxy tunnel (CONNECT): http://[redacted]@127.0.0.1:${via.port} opened a tunnel to localhost:${fixture.port}`,
      );
      expect(passed.stdout).toMatch(/TLSv1\.3, TLS_AES_\w+, with proxy 127\.0\.0\.1:\d+/);
      expect(stepLine(passed.stdout, "Gateway accepts the agent's key")).toMatch(/^PASS/);
      expect(passed.stdout + passed.stderr).not.toMatch(/diag-user|Diag-pw-1234/);
      expect(via.connects().filter((target) => target === `localhost:${fixture.port}`).length).toBeGreaterThanOrEqual(
        3,
      );
    },
  );

  it.for(PROXY_CASES)(
    'a proxy that refuses the gateway port (403, $title): the fix names the proxy rule to change',
    async ({ kind }, { skip }) => {
      skip(kind.unavailable !== undefined, kind.unavailable);
      const fixture = await gateway();
      const via = await proxy(kind, { connectPorts: [443] });
      const file = await configFile(fixture);
      const run = await diagnose(['-c', file, '--proxy', via.url]);
      expect(stepLine(run.stdout, 'Proxy tunnel (CONNECT)')).toMatch(
        /^FAIL {2}Proxy tunnel \(CONNECT\): proxy error: 403 /,
      );
      expect(run.stdout).toContain(
        `fix: The proxy does not allow tunnels to localhost:${fixture.port}: ask its administrator to allow CONNECT to port ${fixture.port}`,
      );
    },
  );

  it('--json prints the report as data', async () => {
    const fixture = await gateway();
    const run = await diagnose(['-c', await configFile(fixture), '--json', '--skip-handshake']);
    const report = JSON.parse(run.stdout) as DiagnoseReport;
    expect(report.ok).toBe(true);
    expect(report.steps.map((step) => [step.kind, step.status])).toEqual([
      ['config', 'pass'],
      ['resolve', 'pass'],
      ['tcp', 'pass'],
      ['tls', 'pass'],
      ['handshake', 'skip'],
      ['target', 'skip'],
    ]);
  });

  it.for(PROXY_CASES)(
    '--bundle writes a .tar.gz that tar extracts, with the report, config, logs and versions, and no secret in it (proxy: $title)',
    async ({ kind }, { skip }) => {
      skip(kind.unavailable !== undefined, kind.unavailable);
      const fixture = await gateway();
      const keys = fixture.addAgent();
      const user = 'bundle-proxy-user';
      const password = 'Bundle-proxy-pw-99';
      const via = await proxy(kind, { basicAuth: { user, password } });
      const file = await configFile(fixture, keys, { allowedAddresses: ['127.0.0.1/32'] });
      const dir = await tempDir();
      const bundle = path.join(dir, 'support.tar.gz');
      const proxyUrl = `http://${user}:${password}@127.0.0.1:${via.port}`;
      const run = await diagnose(['-c', file, '--bundle', bundle], { HTTPS_PROXY: proxyUrl, NO_PROXY: 'example.org' });
      expect(run.exit.code).toBe(0);
      expect(run.stderr).toContain(`bundle: ${bundle} (without the secret key and proxy credentials)`);
      expect((await stat(bundle)).mode & 0o777).toBe(0o600);

      const out = path.join(dir, 'out');
      await mkdir(out);
      await promisify(execFile)('tar', ['-xzf', bundle, '-C', out]);
      const root = path.join(out, 'cluvio-agent-support');
      expect((await readdir(root)).sort()).toEqual([
        'cluvio-agent.toml',
        'logs.txt',
        'report.json',
        'report.txt',
        'system.json',
      ]);
      const texts = await Promise.all((await readdir(root)).map((name) => readFile(path.join(root, name), 'utf8')));
      const everything = [...texts, gunzipSync(await readFile(bundle)).toString('latin1')].join('\n');
      const secrets = [
        keys.secretKey.exportBase64url(),
        user,
        password,
        Buffer.from(`${user}:${password}`).toString('base64'),
        `${user}:${password}`,
      ];
      for (const secret of secrets) expect(everything).not.toContain(secret);

      const config = await readFile(path.join(root, 'cluvio-agent.toml'), 'utf8');
      expect(config).toContain('secret-key = "[redacted]"');
      expect(config).toContain(`port = ${fixture.port}`);
      expect(await readFile(path.join(root, 'report.txt'), 'utf8')).toContain(
        `PASS  Proxy tunnel (CONNECT): http://[redacted]@127.0.0.1:${via.port}`,
      );
      expect(await readFile(path.join(root, 'logs.txt'), 'utf8')).toMatch(/cluvio_agent::agent: up and running/);
      const system = JSON.parse(await readFile(path.join(root, 'system.json'), 'utf8')) as {
        versions: Record<string, string>;
        os: { platform: string };
        proxyVariables: Record<string, string>;
      };
      expect(system.versions).toMatchObject({ agent: '0.1.0', protocol: '1.3.0', node: process.versions.node });
      expect(system.os.platform).toBe(process.platform);
      expect(system.proxyVariables).toEqual({
        HTTPS_PROXY: `http://[redacted]@127.0.0.1:${via.port}`,
        NO_PROXY: 'example.org',
      });
    },
  );
});

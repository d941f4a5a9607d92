/**
 * Our `cluvio-agent` process reaching a real gateway through a real HTTP proxy (tinyproxy, see
 * support/tinyproxy.ts): from HTTPS_PROXY and from --proxy with Basic authentication, a stream
 * relayed end to end, NO_PROXY going direct, TLS still verified by the agent inside the tunnel,
 * and the refusals a user meets (407 without the right credentials, 403 for a port the proxy
 * does not allow), with the credentials never printed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateCertificateAuthority } from '../../../src/gateway/certificates.js';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { type Cleanups, startOurAgent } from '../../support/agent-fixture.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { listenLoopback } from '../../support/loopback.js';
import { OUR_AGENT_CLI, type AgentImplementation, spawnAgent } from '../../support/reference-agent.js';
import { startTinyproxy, type Tinyproxy, type TinyproxyOptions } from './support/tinyproxy.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const USER = 'proxyuser';
const PASSWORD = 'Pr0xy-s3cret-pw';

async function gateway(): Promise<GatewayFixture> {
  const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
  cleanups.push(() => fixture.close());
  return fixture;
}

async function proxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const started = await startTinyproxy(options);
  cleanups.push(() => started.close());
  return started;
}

/** Our CLI with extra leading arguments (the config and log filter are appended). */
function cliWith(...args: string[]): AgentImplementation {
  return { name: 'cluvio-agent with options', command: [...OUR_AGENT_CLI.command, ...args] };
}

async function spawnWith(
  fixture: GatewayFixture,
  keys: KeyPair,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  trustPem?: string,
): ReturnType<typeof spawnAgent> {
  // Every level, so that "never printed" covers debug and trace records too.
  const agent = await spawnAgent(
    cliWith(...args),
    fixture.agentConfigToml(keys, trustPem === undefined ? {} : { trustPem }),
    { env, logFilter: 'trace' },
  );
  cleanups.push(() => agent.stop());
  return agent;
}

async function echoTarget(): Promise<number> {
  const { server, port } = await listenLoopback((socket) => socket.pipe(socket));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return port;
}

async function roundTrip(fixture: GatewayFixture, keys: KeyPair, port: number, text: string): Promise<string> {
  const stream = await fixture.gateway.openStream(keys.agentId, `127.0.0.1:${port}`, { halfClose: true });
  stream.end(text);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('cluvio-agent through an HTTP CONNECT proxy (tinyproxy)', () => {
  it('HTTPS_PROXY: connects through the proxy and relays a stream end to end', async () => {
    const fixture = await gateway();
    const tiny = await proxy();
    const keys = fixture.addAgent();
    const agent = await startOurAgent(fixture, keys, {}, cleanups, { env: { HTTPS_PROXY: tiny.url } });
    await fixture.gateway.waitForAgent(keys.agentId);
    expect(tiny.connects()).toEqual([`localhost:${fixture.port}`]);
    await agent.waitForOutput(
      new RegExp(`INFO cluvio_agent: using proxy proxy=http://127\\.0\\.0\\.1:${tiny.port} source=HTTPS_PROXY`),
    );
    await agent.waitForOutput(/up and running/);
    const echo = await echoTarget();
    expect(await roundTrip(fixture, keys, echo, 'through the proxy')).toBe('through the proxy');
    expect(tiny.connects()).toHaveLength(1);
  });

  it('--proxy with user and password: the proxy that requires authentication lets it through; the credentials are never printed', async () => {
    const fixture = await gateway();
    const tiny = await proxy({ basicAuth: { user: USER, password: PASSWORD } });
    const keys = fixture.addAgent();
    const agent = await spawnWith(
      fixture,
      keys,
      ['--proxy', `http://${USER}:${PASSWORD}@127.0.0.1:${tiny.port}`],
      {},
      undefined,
    );
    await fixture.gateway.waitForAgent(keys.agentId);
    await agent.waitForOutput(/up and running/);
    expect(tiny.connects()).toEqual([`localhost:${fixture.port}`]);
    expect(agent.output()).toContain(
      `using proxy proxy=http://[redacted]@127.0.0.1:${tiny.port} source=command line (--proxy)`,
    );
    expect(agent.output()).not.toContain(PASSWORD);
    expect(agent.output()).not.toContain(USER);
    expect(agent.output()).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });

  it('a wrong password is refused (tinyproxy: 401): the agent says the proxy wants authentication, retries, and never prints the password', async () => {
    const fixture = await gateway();
    const tiny = await proxy({ basicAuth: { user: USER, password: PASSWORD } });
    const keys = fixture.addAgent();
    const wrong = 'Wr0ng-passw0rd';
    const agent = await spawnWith(fixture, keys, ['--proxy', `http://${USER}:${wrong}@127.0.0.1:${tiny.port}`]);
    const line = await agent.waitForOutput(
      /WARN cluvio_agent::agent: failed to connect to localhost:\d+ err=.*proxy error: 401 Unauthorized/,
    );
    expect(line).toContain(`through proxy http://[redacted]@127.0.0.1:${tiny.port}`);
    expect(line).toContain('the proxy requires authentication');
    await agent.waitForOutput(/waiting 2s before connecting/);
    expect(fixture.gateway.agents()[0]?.online).toBe(false);
    expect(agent.output()).not.toContain(wrong);
    expect(agent.output()).not.toContain(USER);
  });

  it('without credentials, the proxy that requires them answers 407 and the agent says so', async () => {
    const fixture = await gateway();
    const tiny = await proxy({ basicAuth: { user: USER, password: PASSWORD } });
    const keys = fixture.addAgent();
    const agent = await startOurAgent(fixture, keys, {}, cleanups, { env: { HTTPS_PROXY: tiny.url } });
    await agent.waitForOutput(
      /failed to connect to localhost:\d+ err=.*407 Proxy Authentication Required: the proxy requires authentication/,
    );
    expect(fixture.gateway.agents()[0]?.online).toBe(false);
  });

  it('a proxy that refuses the gateway port (403): the agent reports the refusal and is not online', async () => {
    const fixture = await gateway();
    const tiny = await proxy({ connectPorts: [443] });
    const keys = fixture.addAgent();
    const agent = await startOurAgent(fixture, keys, {}, cleanups, { env: { https_proxy: tiny.url } });
    await agent.waitForOutput(
      /failed to connect to localhost:\d+ err=.*proxy error: 403 .*the proxy refused to open a tunnel/,
    );
    expect(tiny.connects()).toEqual([`localhost:${fixture.port}`]);
    expect(fixture.gateway.agents()[0]?.online).toBe(false);
  });

  it('NO_PROXY naming the gateway: the agent connects directly and the proxy sees nothing', async () => {
    const fixture = await gateway();
    const tiny = await proxy();
    const keys = fixture.addAgent();
    const agent = await startOurAgent(fixture, keys, {}, cleanups, {
      env: { HTTPS_PROXY: tiny.url, NO_PROXY: 'example.org, localhost' },
    });
    await fixture.gateway.waitForAgent(keys.agentId);
    await agent.waitForOutput(/not using proxy for this server \(no_proxy\)/);
    expect(tiny.connects()).toEqual([]);
  });

  it('--no-proxy ignores HTTPS_PROXY', async () => {
    const fixture = await gateway();
    const tiny = await proxy();
    const keys = fixture.addAgent();
    await spawnWith(fixture, keys, ['--no-proxy'], { HTTPS_PROXY: tiny.url });
    await fixture.gateway.waitForAgent(keys.agentId);
    expect(tiny.connects()).toEqual([]);
  });

  it('TLS stays end to end: through the proxy, a gateway certificate from an untrusted CA is still refused by the agent', async () => {
    const fixture = await gateway();
    const tiny = await proxy();
    const keys = fixture.addAgent();
    const stranger = await generateCertificateAuthority('Some other CA');
    const agent = await spawnWith(fixture, keys, ['--proxy', tiny.url], {}, stranger.certPem);
    await agent.waitForOutput(
      /failed to connect to localhost:\d+ err=.*through proxy http:\/\/127\.0\.0\.1:\d+: unable to verify the first certificate/,
    );
    expect(tiny.connects()).toContain(`localhost:${fixture.port}`);
    expect(fixture.gateway.agents()[0]?.online).toBe(false);
  });

  it('a malformed proxy URL is a usage error (exit 2) that does not repeat the credentials', async () => {
    const agent = await spawnAgent(
      cliWith('--proxy', 'https://someone:Hunter2-pw@proxy.example:443'),
      'secret-key = "x"\n',
    );
    cleanups.push(() => agent.stop());
    expect(await agent.exited).toEqual({ code: 2, signal: null });
    expect(agent.stderr()).toContain('only http:// proxies are supported');
    expect(agent.stderr()).not.toContain('Hunter2-pw');
  });
});

/**
 * Our `cluvio-agent` process reaching a real gateway through a real HTTP proxy: from HTTPS_PROXY
 * and from --proxy with Basic authentication, a stream relayed end to end, NO_PROXY going direct,
 * TLS still verified by the agent inside the tunnel, and the refusals a user meets (407 without
 * credentials, a wrong password, 403 for a port the proxy does not allow), with the credentials
 * never printed.
 *
 * Every case runs against the npm package `proxy` (support/npm-proxy.ts, installed by `npm ci`),
 * and again against Debian's tinyproxy where it is installed (support/tinyproxy.ts); where it is
 * not, those repeats are skipped and their titles say how to install it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateCertificateAuthority } from '../../../src/gateway/certificates.js';
import type { KeyPair } from '../../../src/tunnel/auth/index.js';
import { type Cleanups, startOurAgent } from '../../support/agent-fixture.js';
import { type GatewayFixture, startGatewayFixture } from '../../support/gateway-fixture.js';
import { listenLoopback } from '../../support/loopback.js';
import { OUR_AGENT_CLI, type AgentImplementation, spawnAgent } from '../../support/reference-agent.js';
import { NPM_PROXY, PROXY_KINDS, proxyTitle } from './support/proxy-kinds.js';
import type { ProxyKind, ProxyOptions, TestProxy } from './support/test-proxy.js';

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

async function proxy(kind: ProxyKind, options: ProxyOptions = {}): Promise<TestProxy> {
  const started = await kind.start(options);
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

for (const kind of PROXY_KINDS) {
  describe.skipIf(kind.unavailable !== undefined)(
    `cluvio-agent through an HTTP CONNECT proxy: ${proxyTitle(kind)}`,
    () => {
      it('HTTPS_PROXY: connects through the proxy and relays a stream end to end', async () => {
        const fixture = await gateway();
        const via = await proxy(kind);
        const keys = fixture.addAgent();
        const agent = await startOurAgent(fixture, keys, {}, cleanups, { env: { HTTPS_PROXY: via.url } });
        await fixture.gateway.waitForAgent(keys.agentId);
        expect(via.connects()).toEqual([`localhost:${fixture.port}`]);
        await agent.waitForOutput(
          new RegExp(`INFO cluvio_agent: using proxy proxy=http://127\\.0\\.0\\.1:${via.port} source=HTTPS_PROXY`),
        );
        await agent.waitForOutput(/up and running/);
        const echo = await echoTarget();
        expect(await roundTrip(fixture, keys, echo, 'through the proxy')).toBe('through the proxy');
        expect(via.connects()).toHaveLength(1);
      });

      it('--proxy with user and password: the proxy that requires authentication lets it through; the credentials are never printed', async () => {
        const fixture = await gateway();
        const via = await proxy(kind, { basicAuth: { user: USER, password: PASSWORD } });
        const keys = fixture.addAgent();
        const agent = await spawnWith(
          fixture,
          keys,
          ['--proxy', `http://${USER}:${PASSWORD}@127.0.0.1:${via.port}`],
          {},
          undefined,
        );
        await fixture.gateway.waitForAgent(keys.agentId);
        await agent.waitForOutput(/up and running/);
        expect(via.connects()).toEqual([`localhost:${fixture.port}`]);
        expect(agent.output()).toContain(
          `using proxy proxy=http://[redacted]@127.0.0.1:${via.port} source=command line (--proxy)`,
        );
        expect(agent.output()).not.toContain(PASSWORD);
        expect(agent.output()).not.toContain(USER);
        expect(agent.output()).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
      });

      it('a wrong password is refused: the agent says the proxy wants authentication, retries, and never prints the password', async () => {
        const fixture = await gateway();
        const via = await proxy(kind, { basicAuth: { user: USER, password: PASSWORD } });
        const keys = fixture.addAgent();
        const wrong = 'Wr0ng-passw0rd';
        const agent = await spawnWith(fixture, keys, ['--proxy', `http://${USER}:${wrong}@127.0.0.1:${via.port}`]);
        const line = await agent.waitForOutput(
          new RegExp(
            `WARN cluvio_agent::agent: failed to connect to localhost:\\d+ err=.*proxy error: ${kind.wrongPasswordAnswer}`,
          ),
        );
        expect(line).toContain(`through proxy http://[redacted]@127.0.0.1:${via.port}`);
        expect(line).toContain('the proxy requires authentication');
        await agent.waitForOutput(/waiting 2s before connecting/);
        expect(fixture.gateway.agents()[0]?.online).toBe(false);
        expect(agent.output()).not.toContain(wrong);
        expect(agent.output()).not.toContain(USER);
      });

      it('without credentials, the proxy that requires them answers 407 and the agent says so', async () => {
        const fixture = await gateway();
        const via = await proxy(kind, { basicAuth: { user: USER, password: PASSWORD } });
        const keys = fixture.addAgent();
        const agent = await startOurAgent(fixture, keys, {}, cleanups, { env: { HTTPS_PROXY: via.url } });
        await agent.waitForOutput(
          /failed to connect to localhost:\d+ err=.*407 Proxy Authentication Required: the proxy requires authentication/,
        );
        expect(fixture.gateway.agents()[0]?.online).toBe(false);
      });

      it('a proxy that refuses the gateway port (403): the agent reports the refusal and is not online', async () => {
        const fixture = await gateway();
        const via = await proxy(kind, { connectPorts: [443] });
        const keys = fixture.addAgent();
        const agent = await startOurAgent(fixture, keys, {}, cleanups, { env: { https_proxy: via.url } });
        await agent.waitForOutput(
          /failed to connect to localhost:\d+ err=.*proxy error: 403 .*the proxy refused to open a tunnel/,
        );
        expect(via.connects()).toEqual([`localhost:${fixture.port}`]);
        expect(fixture.gateway.agents()[0]?.online).toBe(false);
      });

      it('NO_PROXY naming the gateway: the agent connects directly and the proxy sees nothing', async () => {
        const fixture = await gateway();
        const via = await proxy(kind);
        const keys = fixture.addAgent();
        const agent = await startOurAgent(fixture, keys, {}, cleanups, {
          env: { HTTPS_PROXY: via.url, NO_PROXY: 'example.org, localhost' },
        });
        await fixture.gateway.waitForAgent(keys.agentId);
        await agent.waitForOutput(/not using proxy for this server \(no_proxy\)/);
        expect(via.connects()).toEqual([]);
      });

      it('--no-proxy ignores HTTPS_PROXY', async () => {
        const fixture = await gateway();
        const via = await proxy(kind);
        const keys = fixture.addAgent();
        await spawnWith(fixture, keys, ['--no-proxy'], { HTTPS_PROXY: via.url });
        await fixture.gateway.waitForAgent(keys.agentId);
        expect(via.connects()).toEqual([]);
      });

      it('TLS stays end to end: through the proxy, a gateway certificate from an untrusted CA is still refused by the agent', async () => {
        const fixture = await gateway();
        const via = await proxy(kind);
        const keys = fixture.addAgent();
        const stranger = await generateCertificateAuthority('Some other CA');
        const agent = await spawnWith(fixture, keys, ['--proxy', via.url], {}, stranger.certPem);
        await agent.waitForOutput(
          /failed to connect to localhost:\d+ err=.*through proxy http:\/\/127\.0\.0\.1:\d+: unable to verify the first certificate/,
        );
        expect(via.connects()).toContain(`localhost:${fixture.port}`);
        expect(fixture.gateway.agents()[0]?.online).toBe(false);
      });
    },
  );
}

// tinyproxy's BasicAuth takes only letters, digits, '-', '.' and '_', so this runs against the npm proxy alone.
describe(`cluvio-agent through an HTTP CONNECT proxy: ${NPM_PROXY.name} only`, () => {
  it('a password holding @, /, # and : (percent-encoded in the URL, as curl takes it) is sent as typed', async () => {
    const fixture = await gateway();
    const password = 'p@ss/w#rd:9';
    const via = await proxy(NPM_PROXY, { basicAuth: { user: USER, password } });
    const keys = fixture.addAgent();
    const agent = await spawnWith(fixture, keys, [
      '--proxy',
      `http://${USER}:${encodeURIComponent(password)}@127.0.0.1:${via.port}`,
    ]);
    await fixture.gateway.waitForAgent(keys.agentId);
    await agent.waitForOutput(/up and running/);
    expect(via.connects()).toEqual([`localhost:${fixture.port}`]);
    expect(agent.output()).not.toContain(encodeURIComponent(password));
  });
});

describe('cluvio-agent --proxy', () => {
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

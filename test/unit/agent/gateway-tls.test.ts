/**
 * The gateway connection's TLS as the reference's rustls client makes it (PROTOCOL.md §1,
 * docs/reference-notes.md §1.1–1.2), against real TLS servers on 127.0.0.1.
 */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/tunnel/agent/clock.js';
import { GatewayTlsConnector } from '../../../src/tunnel/agent/gateway-tls.js';
import { systemResolver, type Resolver } from '../../../src/tunnel/agent/lookup.js';
import { parseProxyUrl, type ProxySettings } from '../../../src/tunnel/agent/proxy-config.js';
import { listenLoopback } from '../../support/loopback.js';
import { caTrueLeaf, cnOnlyLeaf } from './support/odd-certificates.js';
import { until } from './support/wait.js';
import {
  generateSelfSignedServerCertificate,
  localhostCertificate,
  testAuthority,
} from './support/tls-certificates.js';

const servers: (tls.Server | net.Server)[] = [];
/** Client sockets a test may leave open when it fails: destroyed before the servers close. */
const clients: net.Socket[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

interface Seen {
  servername: string | false | null;
  alpn: string | false | null;
  protocol: string | null;
  resumed: boolean;
}

async function server(options: tls.TlsOptions): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv = tls.createServer(options, (socket) => {
    seen.push({
      servername: socket.servername,
      alpn: socket.alpnProtocol,
      protocol: socket.getProtocol(),
      resumed: socket.isSessionReused(),
    });
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
    socket.resume();
  });
  srv.on('tlsClientError', () => undefined);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  servers.push(srv);
  const address = srv.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, seen };
}

function connector(
  port: number,
  trust: readonly string[],
  failures: string[] = [],
  resolver: Resolver = systemResolver,
  proxy: ProxySettings | null = null,
): GatewayTlsConnector {
  return new GatewayTlsConnector({
    server: { host: 'localhost', port, trust },
    connectTimeoutMs: 10_000,
    clock: systemClock,
    resolver,
    onAddressFailed: (address, error) =>
      failures.push(`${address}: ${error instanceof Error ? error.message : String(error)}`),
    proxy,
  });
}

/** An HTTP CONNECT proxy on 127.0.0.1 that tunnels every request to 127.0.0.1:`upstreamPort`. */
async function connectProxy(upstreamPort: number): Promise<ProxySettings> {
  const { server: proxyServer, port } = await listenLoopback((client) => {
    client.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const upstream = net.connect(upstreamPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.write(head.subarray(end + 4));
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  servers.push(proxyServer);
  const parsed = parseProxyUrl(`http://127.0.0.1:${port}`, 'command line (--proxy)');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.proxy;
}

/**
 * Every `setNoDelay` call on a real socket so far, with the socket it was made on (Node has no
 * getsockopt, so the call is what is observed). Read while the sockets are still open.
 */
function noDelayCalls(): () => { readonly socket: net.Socket; readonly args: unknown[] }[] {
  const spy = vi.spyOn(net.Socket.prototype, 'setNoDelay');
  return () => spy.mock.calls.map((args, index) => ({ socket: spy.mock.contexts[index] as net.Socket, args }));
}

const never = new AbortController().signal;

describe('gateway TLS', () => {
  it('speaks TLS 1.3 with SNI = server.host and no ALPN, trusting a private CA from [server] trust, and resumes the session next time', async () => {
    const certificate = await localhostCertificate();
    const { port, seen } = await server({ cert: certificate.certPem, key: certificate.keyPem });
    const tlsConnector = connector(port, [(await testAuthority()).certPem]);
    const first = await tlsConnector.connect(never);
    expect(first.remoteAddress).toBe(`127.0.0.1:${port}`);
    expect(first.socket.getProtocol()).toBe('TLSv1.3');
    await once(first.socket, 'session'); // the ticket the next connection offers
    first.socket.end();
    const second = await tlsConnector.connect(never);
    second.socket.end();
    await until(() => seen.length === 2, 'the server to see both connections');
    expect(seen[0]).toEqual({ servername: 'localhost', alpn: false, protocol: 'TLSv1.3', resumed: false });
    expect(seen[1]?.resumed).toBe(true);
  });

  it('sets TCP_NODELAY on the gateway connection, direct and through an HTTP proxy', async () => {
    const certificate = await localhostCertificate();
    const { port } = await server({ cert: certificate.certPem, key: certificate.keyPem });
    const trust = [(await testAuthority()).certPem];
    const calls = noDelayCalls();

    const direct = await connector(port, trust).connect(never);
    clients.push(direct.socket);
    expect(direct.remoteAddress).toBe(`127.0.0.1:${port}`);
    expect(
      calls()
        .filter((call) => call.socket === direct.socket)
        .map((call) => call.args),
    ).toEqual([[true]]);
    direct.socket.destroy();

    const proxy = await connectProxy(port);
    const proxied = await connector(port, trust, [], systemResolver, proxy).connect(never);
    clients.push(proxied.socket);
    expect(proxied.remoteAddress).toBe(`proxy 127.0.0.1:${proxy.port}`);
    expect(proxied.socket.getProtocol()).toBe('TLSv1.3');
    // The TCP connection to the proxy carries the TLS records, so it is the one that needs it.
    expect(
      calls()
        .filter((call) => call.socket.remotePort === proxy.port)
        .map((call) => call.args),
    ).toEqual([[true]]);
    proxied.socket.destroy();
  });

  it('accepts a self-signed CA:FALSE leaf that is itself in [server] trust', async () => {
    const certificate = await generateSelfSignedServerCertificate(['localhost']);
    const { port } = await server({ cert: certificate.certPem, key: certificate.keyPem });
    const { socket } = await connector(port, [certificate.certPem]).connect(never);
    socket.destroy();
  });

  it.each([
    [
      'a certificate from a CA that is not trusted',
      async () => ({
        served: await localhostCertificate(),
        trust: (await generateSelfSignedServerCertificate(['localhost'])).certPem,
      }),
      /self.signed|unable to (get|verify)/i,
    ],
    [
      'a self-signed leaf marked CA:TRUE (webpki: CaUsedAsEndEntity)',
      async () => {
        const c = await caTrueLeaf('localhost');
        return { served: c, trust: c.certPem };
      },
      /CaUsedAsEndEntity/,
    ],
    [
      'a leaf naming the host only in its CN',
      async () => {
        const c = await cnOnlyLeaf('localhost');
        return { served: c, trust: c.certPem };
      },
      /not valid for any names/,
    ],
    [
      'a certificate for another name',
      async () => ({ served: await localhostCertificate(['other.example']), trust: (await testAuthority()).certPem }),
      /other\.example|not in the cert/i,
    ],
  ])('refuses %s', async (_what, make, reason) => {
    const { served, trust } = await make();
    const { port } = await server({ cert: served.certPem, key: served.keyPem });
    const failures: string[] = [];
    await expect(connector(port, [trust], failures).connect(never)).rejects.toThrow(
      'i/o error: could not connect to any address of localhost',
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(reason);
  });

  it('refuses a TLS 1.2-only server', async () => {
    const certificate = await localhostCertificate();
    const { port } = await server({ cert: certificate.certPem, key: certificate.keyPem, maxVersion: 'TLSv1.2' });
    const failures: string[] = [];
    await expect(connector(port, [(await testAuthority()).certPem], failures).connect(never)).rejects.toThrow(
      'could not connect to any address',
    );
    expect(failures[0]).toMatch(/protocol version|alert/i);
  });

  it('tries every resolved address in order and takes the first that works', async () => {
    const certificate = await localhostCertificate();
    const { port } = await server({ cert: certificate.certPem, key: certificate.keyPem });
    const failures: string[] = [];
    const resolver: Resolver = () =>
      Promise.resolve([
        { address: '127.0.0.2', family: 4 },
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ]);
    const { socket, remoteAddress } = await connector(
      port,
      [(await testAuthority()).certPem],
      failures,
      resolver,
    ).connect(never);
    socket.destroy();
    expect(remoteAddress).toBe(`127.0.0.1:${port}`);
    expect(failures.map((f) => f.split(': ')[0])).toEqual([`127.0.0.2:${port}`, `[::1]:${port}`]);
  });

  it('reports a name that does not resolve as an i/o error', async () => {
    const failing = new GatewayTlsConnector({
      server: { host: 'gateway.invalid', port: 443, trust: [] },
      connectTimeoutMs: 10_000,
      clock: systemClock,
      resolver: systemResolver,
      onAddressFailed: () => undefined,
    });
    await expect(failing.connect(never)).rejects.toThrow(/^i\/o error: .*ENOTFOUND/);
  });
});

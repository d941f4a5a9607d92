/**
 * The gateway connection's TLS as the reference's rustls client makes it (PROTOCOL.md §1,
 * docs/reference-notes.md §1.1–1.2), against real TLS servers on 127.0.0.1.
 */
import { once } from 'node:events';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/tunnel/agent/clock.js';
import { GatewayTlsConnector } from '../../../src/tunnel/agent/gateway-tls.js';
import { systemResolver, type Resolver } from '../../../src/tunnel/agent/lookup.js';
import { caTrueLeaf, cnOnlyLeaf } from './support/odd-certificates.js';
import { until } from './support/wait.js';
import { generateSelfSignedServerCertificate, localhostCertificate, testAuthority } from './support/tls-certificates.js';

const servers: tls.Server[] = [];
afterEach(async () => {
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
    seen.push({ servername: socket.servername, alpn: socket.alpnProtocol, protocol: socket.getProtocol(), resumed: socket.isSessionReused() });
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

function connector(port: number, trust: readonly string[], failures: string[] = [], resolver: Resolver = systemResolver): GatewayTlsConnector {
  return new GatewayTlsConnector({
    server: { host: 'localhost', port, trust },
    connectTimeoutMs: 10_000,
    clock: systemClock,
    resolver,
    onAddressFailed: (address, error) => failures.push(`${address}: ${error instanceof Error ? error.message : String(error)}`),
  });
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

  it('accepts a self-signed CA:FALSE leaf that is itself in [server] trust', async () => {
    const certificate = await generateSelfSignedServerCertificate(['localhost']);
    const { port } = await server({ cert: certificate.certPem, key: certificate.keyPem });
    const { socket } = await connector(port, [certificate.certPem]).connect(never);
    socket.destroy();
  });

  it.each([
    ['a certificate from a CA that is not trusted', async () => ({ served: await localhostCertificate(), trust: (await generateSelfSignedServerCertificate(['localhost'])).certPem }), /self.signed|unable to (get|verify)/i],
    ['a self-signed leaf marked CA:TRUE (webpki: CaUsedAsEndEntity)', async () => { const c = await caTrueLeaf('localhost'); return { served: c, trust: c.certPem }; }, /CaUsedAsEndEntity/],
    ['a leaf naming the host only in its CN', async () => { const c = await cnOnlyLeaf('localhost'); return { served: c, trust: c.certPem }; }, /not valid for any names/],
    ['a certificate for another name', async () => ({ served: await localhostCertificate(['other.example']), trust: (await testAuthority()).certPem }), /other\.example|not in the cert/i],
  ])('refuses %s', async (_what, make, reason) => {
    const { served, trust } = await make();
    const { port } = await server({ cert: served.certPem, key: served.keyPem });
    const failures: string[] = [];
    await expect(connector(port, [trust], failures).connect(never)).rejects.toThrow('i/o error: could not connect to any address of localhost');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(reason);
  });

  it('refuses a TLS 1.2-only server', async () => {
    const certificate = await localhostCertificate();
    const { port } = await server({ cert: certificate.certPem, key: certificate.keyPem, maxVersion: 'TLSv1.2' });
    const failures: string[] = [];
    await expect(connector(port, [(await testAuthority()).certPem], failures).connect(never)).rejects.toThrow('could not connect to any address');
    expect(failures[0]).toMatch(/protocol version|alert/i);
  });

  it('tries every resolved address in order and takes the first that works', async () => {
    const certificate = await localhostCertificate();
    const { port } = await server({ cert: certificate.certPem, key: certificate.keyPem });
    const failures: string[] = [];
    const resolver: Resolver = () => Promise.resolve([{ address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]);
    const { socket, remoteAddress } = await connector(port, [(await testAuthority()).certPem], failures, resolver).connect(never);
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

/**
 * The gateway connection's security properties, asserted by what each side observes once the
 * handshake is over (the protocol both ends negotiated, the server name the gateway received,
 * the refusal), never by the options the connector passes. Electron's Node runs on BoringSSL,
 * which ignores some OpenSSL options (docs/tls-runtimes.md): a property that rested on an
 * ignored option would pass a test that only read the options back, and fail these.
 *
 * The refusals common to both agents (untrusted CA, wrong name, TLS 1.2, expired, CA:TRUE,
 * CN-only) are in tls-refusals.test.ts against the real reference agent and our CLI.
 */
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { createProxy } from 'proxy';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CertificateAndKey,
  generateCertificateAuthority,
  issueServerCertificate,
} from '../../src/gateway/certificates.js';
import { systemClock } from '../../src/tunnel/agent/clock.js';
import { GatewayTlsConnector } from '../../src/tunnel/agent/gateway-tls.js';
import { systemResolver } from '../../src/tunnel/agent/lookup.js';
import { parseProxyUrl, type ProxySettings } from '../../src/tunnel/agent/proxy-config.js';
import { caTrueSigningOnlyLeaf } from '../unit/agent/support/odd-certificates.js';

const HOST = 'localhost';
const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'];

/** What the gateway saw of one completed handshake. */
interface Seen {
  readonly servername: string | false | null;
  readonly protocol: string | null;
  readonly cipher: string;
  readonly alpn: string | false | null;
}

/** Agent sockets, destroyed before the servers close. */
const clients: net.Socket[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const close of closers.splice(0).reverse()) await close();
});

/** A gateway stand-in that would also accept TLS 1.2, so that TLS 1.3 is the agent's doing. */
async function gateway(served: CertificateAndKey): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: served.certPem, key: served.keyPem, minVersion: 'TLSv1.2' }, (socket) => {
    seen.push({
      servername: socket.servername,
      protocol: socket.getProtocol(),
      cipher: socket.getCipher().standardName,
      alpn: socket.alpnProtocol,
    });
    socket.on('error', () => undefined);
    socket.resume();
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as net.AddressInfo).port, seen };
}

/** A real HTTP CONNECT proxy (the `proxy` package) on 127.0.0.1. */
async function connectProxy(): Promise<ProxySettings> {
  const server = createProxy(http.createServer());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const parsed = parseProxyUrl(
    `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    'command line (--proxy)',
  );
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.proxy;
}

function connector(port: number, trust: string, failures: string[], proxy: ProxySettings | null = null) {
  return new GatewayTlsConnector({
    server: { host: HOST, port, trust: [trust] },
    connectTimeoutMs: 10_000,
    clock: systemClock,
    resolver: systemResolver,
    onAddressFailed: (_address, error) => failures.push(error instanceof Error ? error.message : String(error)),
    proxy,
  });
}

const never = new AbortController().signal;

describe('gateway TLS: properties observed after the handshake', () => {
  it('the gateway sees TLS 1.3, a TLS 1.3 suite, SNI = server.host and no ALPN, directly and through an HTTP proxy', async () => {
    const ca = await generateCertificateAuthority('runtime properties CA');
    const { port, seen } = await gateway(await issueServerCertificate(ca, [HOST]));
    const failures: string[] = [];

    const direct = await connector(port, ca.certPem, failures).connect(never);
    clients.push(direct.socket);
    const proxy = await connectProxy();
    const proxied = await connector(port, ca.certPem, failures, proxy).connect(never);
    clients.push(proxied.socket);

    expect(proxied.remoteAddress).toBe(`proxy 127.0.0.1:${proxy.port}`);
    for (const { socket } of [direct, proxied]) {
      expect(socket.getProtocol()).toBe('TLSv1.3');
      expect(socket.authorized).toBe(true);
    }
    await expect.poll(() => seen.length).toBe(2);
    for (const handshake of seen) {
      expect(handshake).toMatchObject({ servername: HOST, protocol: 'TLSv1.3', alpn: false });
      expect(TLS13_SUITES).toContain(handshake.cipher);
    }
  });

  it("refuses a CA:TRUE leaf even when its keyUsage lacks keyCertSign (the TLS library's CA check says it is no CA; webpki refuses it)", async () => {
    const ca = await generateCertificateAuthority('runtime properties CA');
    const markedCa = await caTrueSigningOnlyLeaf(ca, HOST);
    // Why the check reads basicConstraints itself: OpenSSL (and BoringSSL) do not call this a CA.
    expect(new X509Certificate(markedCa.certPem).ca).toBe(false);

    const refused = await gateway(markedCa);
    const failures: string[] = [];
    await expect(connector(refused.port, ca.certPem, failures).connect(never)).rejects.toThrow(
      'could not connect to any address of localhost',
    );
    expect(failures).toEqual(['invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))']);

    // Control: a CA:FALSE leaf from the same CA is accepted.
    const accepted = await gateway(await issueServerCertificate(ca, [HOST]));
    const { socket } = await connector(accepted.port, ca.certPem, []).connect(never);
    clients.push(socket);
    expect(socket.authorized).toBe(true);
  });
});

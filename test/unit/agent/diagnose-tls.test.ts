/**
 * The TLS step of diagnose against real TLS servers on 127.0.0.1, one per kind of certificate or
 * protocol problem a user meets: each verdict is the agent's own connector's, each failure names
 * its fix, and a pass names the chain's trust anchor.
 */
import { createServer as createHttpServer } from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { CertificateAndKey } from '../../../src/gateway/certificates.js';
import { systemClock } from '../../../src/tunnel/agent/clock.js';
import { checkTls } from '../../../src/tunnel/agent/diagnose-tls.js';
import { systemResolver } from '../../../src/tunnel/agent/lookup.js';
import { caTrueLeaf } from './support/odd-certificates.js';
import {
  generateCertificateAuthority,
  generateSelfSignedServerCertificate,
  issueServerCertificate,
} from './support/tls-certificates.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function tlsServer(certificate: CertificateAndKey, options: tls.TlsOptions = {}): Promise<number> {
  const server = tls.createServer({ cert: certificate.certPem, key: certificate.keyPem, ...options }, (socket) =>
    socket.end(),
  );
  server.on('tlsClientError', () => undefined);
  return listen(server);
}

function check(port: number, trust: readonly string[]): ReturnType<typeof checkTls> {
  return checkTls({ host: 'localhost', port, trust }, null, [{ address: '127.0.0.1', family: 4 }], {
    resolver: systemResolver,
    clock: systemClock,
    connectTimeoutMs: 10_000,
    signal: new AbortController().signal,
  });
}

describe('diagnose: TLS step', () => {
  it('a CA-issued certificate passes, naming subject, issuer, expiry, chain and the [server] trust anchor', async () => {
    const ca = await generateCertificateAuthority('Diag CA');
    const port = await tlsServer(await issueServerCertificate(ca, ['localhost']));
    const body = await check(port, [ca.certPem]);
    expect(body.status).toBe('pass');
    expect(body.details).toEqual(
      expect.arrayContaining([
        'subject: CN=localhost',
        'names: DNS:localhost',
        'issuer: CN=Diag CA',
        'chain: CN=localhost ← CN=Diag CA',
        'trust anchor: [server] trust certificate 1 of 1 (CN=Diag CA)',
      ]),
    );
  });

  it('a self-signed CA:FALSE leaf in [server] trust is its own anchor', async () => {
    const leaf = await generateSelfSignedServerCertificate(['localhost']);
    const body = await check(await tlsServer(leaf), [leaf.certPem]);
    expect(body.status).toBe('pass');
    expect(body.details.at(-1)).toMatch(/^trust anchor: \[server\] trust certificate 1 of 1 \(CN=/);
  });

  it('a certificate that expires within 14 days is a warning to renew it', async () => {
    const ca = await generateCertificateAuthority('Short CA');
    const body = await check(await tlsServer(await issueServerCertificate(ca, ['localhost'], { days: 3 })), [
      ca.certPem,
    ]);
    expect(body.status).toBe('warn');
    expect(body.summary).toMatch(/expires in [0-3] days/);
    expect(body.fix).toContain("Renew the gateway's certificate");
  });

  it('a certificate for another name: the fix says which name is missing from subjectAltName', async () => {
    const ca = await generateCertificateAuthority('Name CA');
    const body = await check(await tlsServer(await issueServerCertificate(ca, ['gateway.example.com'])), [ca.certPem]);
    expect(body.status).toBe('fail');
    expect(body.fix).toContain('does not name localhost in its subjectAltName');
    expect(body.details).toContain('  names: DNS:gateway.example.com');
  });

  it('a CA:TRUE leaf is refused as rustls does (CaUsedAsEndEntity), with the fix', async () => {
    const leaf = await caTrueLeaf('localhost');
    const body = await check(await tlsServer(leaf), [leaf.certPem]);
    expect(body.status).toBe('fail');
    expect(body.summary).toContain('CaUsedAsEndEntity');
    expect(body.fix).toContain('issue a CA:FALSE certificate');
  });

  it('a TLS 1.2-only server: the agent requires TLS 1.3', async () => {
    const ca = await generateCertificateAuthority('Old CA');
    const body = await check(
      await tlsServer(await issueServerCertificate(ca, ['localhost']), { maxVersion: 'TLSv1.2' }),
      [ca.certPem],
    );
    expect(body.status).toBe('fail');
    expect(body.fix).toContain('does not speak TLS 1.3');
  });

  it('a port that speaks plain HTTP: not TLS at all', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('hello')));
    const body = await check(port, []);
    expect(body.status).toBe('fail');
    expect(body.fix).toContain('does not answer with TLS');
  });
});

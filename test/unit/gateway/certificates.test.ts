import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateCertificateAuthority,
  generateSelfSignedServerCertificate,
  issueServerCertificate,
  type CertificateAndKey,
} from '../../../src/gateway/certificates.js';

const servers: tls.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(cert: CertificateAndKey): Promise<number> {
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1.3' }, (s) => s.end('hi'));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function handshake(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca, minVersion: 'TLSv1.3' }, () => {
      socket.once('data', (d: Buffer) => {
        resolve(d.toString());
        socket.destroy();
      });
    });
    socket.once('error', reject);
  });
}

describe('gateway certificates', () => {
  it('a server certificate issued by the private CA is trusted through the CA and names its hosts', async () => {
    const ca = await generateCertificateAuthority();
    const leaf = await issueServerCertificate(ca, ['gateway.test', 'localhost']);
    const port = await serve(leaf);
    expect(await handshake(port, 'gateway.test', ca.certPem)).toBe('hi');
    expect(await handshake(port, 'localhost', ca.certPem)).toBe('hi');
    await expect(handshake(port, 'other.test', ca.certPem)).rejects.toThrow(/altnames|Hostname/i);
    const parsed = new X509Certificate(leaf.certPem);
    expect(parsed.ca).toBe(false);
    expect(parsed.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  });

  it('a lone self-signed server certificate is CA:FALSE and trusted as its own anchor', async () => {
    const cert = await generateSelfSignedServerCertificate(['localhost']);
    const parsed = new X509Certificate(cert.certPem);
    expect(parsed.ca).toBe(false);
    expect(parsed.subjectAltName).toBe('DNS:localhost');
    const port = await serve(cert);
    expect(await handshake(port, 'localhost', cert.certPem)).toBe('hi');
  });

  it('a certificate from an unrelated CA is refused', async () => {
    const ca = await generateCertificateAuthority();
    const other = await generateCertificateAuthority('Other CA');
    const port = await serve(await issueServerCertificate(ca, ['localhost']));
    await expect(handshake(port, 'localhost', other.certPem)).rejects.toThrow(/certificate/i);
  });
});

/**
 * Certificates that webpki (the reference's verifier) refuses but OpenSSL would take: a leaf
 * marked CA:TRUE (self-signed, or issued by a CA with a keyUsage that OpenSSL's and BoringSSL's
 * CA check reads as "not a CA"), and a leaf that names its host only in the subject CN.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateAndKey, CertificateAuthority } from '../../../../src/gateway/certificates.js';

x509.cryptoProvider.set(webcrypto);

async function selfSigned(
  host: string,
  extensions: (publicKey: CryptoKey) => Promise<x509.Extension[]>,
): Promise<CertificateAndKey> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${host}`,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 86_400_000),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: await extensions(keys.publicKey),
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: certificate.toString('pem'), keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

/** Self-signed, `CA:TRUE`, SAN = host: rustls refuses it with CaUsedAsEndEntity. */
export function caTrueLeaf(host: string): Promise<CertificateAndKey> {
  return selfSigned(host, (publicKey) =>
    Promise.all([
      Promise.resolve(new x509.BasicConstraintsExtension(true, undefined, true)),
      Promise.resolve(new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }])),
      x509.SubjectKeyIdentifierExtension.create(publicKey),
    ]),
  );
}

/** Self-signed, `CA:FALSE`, host only in the CN: webpki never looks at the CN. */
export function cnOnlyLeaf(host: string): Promise<CertificateAndKey> {
  return selfSigned(host, (publicKey) =>
    Promise.all([
      Promise.resolve(new x509.BasicConstraintsExtension(false, undefined, true)),
      x509.SubjectKeyIdentifierExtension.create(publicKey),
    ]),
  );
}

/**
 * Issued by `ca`, basicConstraints `CA:TRUE`, keyUsage digitalSignature only, SAN = host: webpki
 * refuses it (CaUsedAsEndEntity, basicConstraints alone decide); `X509_check_ca` says it is no CA.
 */
export async function caTrueSigningOnlyLeaf(ca: CertificateAuthority, host: string): Promise<CertificateAndKey> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '0c',
    subject: `CN=${host}`,
    issuer: ca.certificate.subject,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 86_400_000),
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: certificate.toString('pem'), keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

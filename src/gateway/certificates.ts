/**
 * Certificates for a self-hosted gateway and for tests: a private CA with server certificates
 * issued by it (the robust setup: the CA's PEM goes into the agent's `[server] trust`), or a
 * lone self-signed server certificate. rustls (the reference agent) refuses a self-signed leaf
 * marked CA:TRUE, so every server certificate here is CA:FALSE with serverAuth and a DNS SAN.
 */
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

const EC_KEY: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

export interface CertificateAndKey {
  /** PEM of the certificate. */
  readonly certPem: string;
  /** PKCS#8 PEM of the private key. */
  readonly keyPem: string;
}

export interface CertificateAuthority extends CertificateAndKey {
  readonly name: string;
  /** @internal signing key, kept as a CryptoKey to issue further certificates. */
  readonly signingKey: CryptoKey;
  /** @internal */
  readonly certificate: x509.X509Certificate;
}

export interface CertificateOptions {
  /** Validity in days from now (default 825, the longest browsers accept for leaves). */
  readonly days?: number;
}

async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  // Backdate slightly so that clocks a little behind still accept a fresh certificate.
  return { notBefore: new Date(now - 5 * 60_000), notAfter: new Date(now + days * DAY_MS) };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

function assertHostNames(hosts: readonly string[]): void {
  if (hosts.length === 0) throw new Error('a server certificate needs at least one host name');
}

async function serverExtensions(hosts: readonly string[], publicKey: CryptoKey): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: 'dns' as const, value: h }))),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

/** A private certificate authority for a self-hosted gateway. */
export async function generateCertificateAuthority(
  name = 'Cluvio Agent Desktop local CA',
  options: CertificateOptions = {},
): Promise<CertificateAuthority> {
  const keys = await generateKeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${name}`,
    ...validity(options.days ?? 3650),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    name,
    certPem: certificate.toString('pem'),
    keyPem: await privateKeyPem(keys.privateKey),
    signingKey: keys.privateKey,
    certificate,
  };
}

/** A server certificate for `hosts` (DNS names) signed by `ca`. */
export async function issueServerCertificate(
  ca: CertificateAuthority,
  hosts: readonly string[],
  options: CertificateOptions = {},
): Promise<CertificateAndKey> {
  assertHostNames(hosts);
  const keys = await generateKeyPair();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${hosts[0] ?? ''}`,
    issuer: ca.certificate.subject,
    ...validity(options.days ?? 825),
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: SIGNING,
    extensions: [
      ...(await serverExtensions(hosts, keys.publicKey)),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  return { certPem: certificate.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A self-signed CA:FALSE server certificate for `hosts`: its own PEM is the agent's `trust`. */
export async function generateSelfSignedServerCertificate(
  hosts: readonly string[],
  options: CertificateOptions = {},
): Promise<CertificateAndKey> {
  assertHostNames(hosts);
  const keys = await generateKeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${hosts[0] ?? ''}`,
    ...validity(options.days ?? 825),
    keys,
    signingAlgorithm: SIGNING,
    extensions: await serverExtensions(hosts, keys.publicKey),
  });
  return { certPem: certificate.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

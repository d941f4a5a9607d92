/** Gateway certificates for tests: one private CA per process, server certificates issued by it. */
import {
  generateCertificateAuthority,
  generateSelfSignedServerCertificate,
  issueServerCertificate,
  type CertificateAndKey,
  type CertificateAuthority,
} from '../../../../src/gateway/certificates.js';

let ca: Promise<CertificateAuthority> | null = null;

export function testAuthority(): Promise<CertificateAuthority> {
  ca ??= generateCertificateAuthority('agent tests CA');
  return ca;
}

/** A `localhost` server certificate from the test CA (put `(await testAuthority()).certPem` into trust). */
export async function localhostCertificate(hosts: readonly string[] = ['localhost']): Promise<CertificateAndKey> {
  return issueServerCertificate(await testAuthority(), hosts);
}

export { generateCertificateAuthority, generateSelfSignedServerCertificate, issueServerCertificate };

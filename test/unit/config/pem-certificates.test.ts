import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTrustPem } from '../../../src/tunnel/config/pem-certificates.js';
import { TEST_CA_PEM, TEST_LEAF_PEM } from './test-certificates.js';

describe('[server] trust PEM', () => {
  it('returns one normalized PEM per certificate, skipping other block types', () => {
    const text = `# comment line\n${TEST_CA_PEM}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${TEST_LEAF_PEM.replaceAll('\n', '\r\n')}`;
    const pems = parseTrustPem(text);
    expect(pems).toHaveLength(2);
    expect(new X509Certificate(pems[0] ?? '').subject).toBe('CN=Test CA for config tests');
    expect(new X509Certificate(pems[1] ?? '').subject).toBe('CN=gateway.test');
  });

  it.each([
    ['no PEM at all', 'not a pem'],
    ['an empty string', ''],
    ['only a key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
  ])('refuses %s with "no certificate found"', (_, text) => {
    expect(() => parseTrustPem(text)).toThrow(/^no certificate found$/);
  });

  it('refuses a block without its END line', () => {
    expect(() => parseTrustPem('-----BEGIN CERTIFICATE-----\nMIIB\n')).toThrow(
      'failed to read certificate: section end "CERTIFICATE" missing',
    );
  });

  it('refuses a body that is not base64', () => {
    expect(() => parseTrustPem('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n')).toThrow(
      'failed to read certificate: its body is not valid base64',
    );
  });

  it('refuses base64 that is not an X.509 certificate, naming which one', () => {
    expect(() => parseTrustPem(`${TEST_CA_PEM}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`)).toThrow(
      /^invalid certificate 2 of 2: not a DER X\.509 certificate/,
    );
  });
});

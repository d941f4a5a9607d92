import { describe, expect, it } from 'vitest';
import { checkHostName, isDnsName } from '../../../src/tunnel/config/dns-name.js';

describe('DNS names as rustls-pki-types validates them', () => {
  it.each([
    'localhost',
    'gateway.eu.cluvio.com',
    'example.com.',
    'a_b.example',
    '_srv.example',
    'xn--bcher-kva.example',
    'a.123.com',
    'a.123-4',
    '1a',
    'EXAMPLE.COM',
    `${'a'.repeat(63)}.com`,
    `${'a.'.repeat(125)}abc`,
  ])('accepts %s', (name) => {
    expect(isDnsName(name)).toBe(true);
  });

  it.each([
    '',
    '.',
    '.example.com',
    'example..com',
    'example.com..',
    '-a.com',
    'a-.com',
    'a.123',
    '123',
    '1.2.3.4',
    '1.2.3.4.',
    'exa mple.com',
    'bücher.de',
    '*.example.com',
    'a/b',
    `${'a'.repeat(64)}.com`,
    `${'a.'.repeat(126)}abc`,
    '::1',
  ])('refuses %j', (name) => {
    expect(isDnsName(name)).toBe(false);
  });

  it('tells an IP literal from an invalid name, as `invalid hostname: not a DNS name` does', () => {
    expect(checkHostName('gateway.example.com')).toBeNull();
    expect(checkHostName('1.2.3.4')).toBe('ip-literal');
    expect(checkHostName('::1')).toBe('ip-literal');
    expect(checkHostName('bad host')).toBe('invalid');
    expect(checkHostName('')).toBe('invalid');
    // Not an IP for rustls (leading zero) and not a name (numeric last label).
    expect(checkHostName('01.2.3.4')).toBe('invalid');
  });
});

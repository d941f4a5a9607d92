import { describe, expect, it } from 'vitest';
import { Allowlist, DEFAULT_ALLOWED_ADDRESSES, parseAllowlistEntry } from '../../../src/tunnel/config/allowlist.js';

describe('allowlist entries (§7.6)', () => {
  it.each([
    ['10.0.0.0/8', 'network'],
    ['fd00::/8', 'network'],
    ['db.internal', 'name'],
    ['Db.Internal.', 'name'],
    ['*.example.com', 'pattern'],
    ['*.example.com.', 'pattern'],
    ['*.', 'pattern'],
  ])('reads %s as a %s', (text, kind) => {
    expect(parseAllowlistEntry(text)?.kind).toBe(kind);
  });

  it.each([
    '10.0.0.1',
    '::1',
    '*',
    '*.*.com',
    '*.1.2.3.4',
    'exa mple',
    '-a.com',
    'a.123',
    '123',
    'a..b',
    '',
    '**.example.com',
    'example.*',
  ])('refuses %j', (text) => {
    expect(parseAllowlistEntry(text)).toBeNull();
  });
});

describe('Allowlist matching', () => {
  const list = Allowlist.of([
    '10.0.0.0/8',
    '192.168.1.10/32',
    'fd00::/8',
    'db.internal',
    '*.example.com',
    'Mixed.Case.net',
  ]);

  it('allows an IP address inside an IP network of its family, port aside', () => {
    expect(list.allowsIp('10.20.30.40')).toBe(true);
    expect(list.allowsIp(Uint8Array.from([192, 168, 1, 10]))).toBe(true);
    expect(list.allowsIp('192.168.1.11')).toBe(false);
    expect(list.allowsIp('fd12::1')).toBe(true);
    expect(list.allowsIp('fe80::1')).toBe(false);
  });

  it('never lets an IPv4-mapped IPv6 address match an IPv4 network', () => {
    expect(list.allowsIp('::ffff:10.0.0.1')).toBe(false);
    const mapped = new Uint8Array(16);
    mapped.set([0xff, 0xff, 10, 0, 0, 1], 10);
    expect(list.allowsIp(mapped)).toBe(false);
    expect(Allowlist.of(['0.0.0.0/0']).allowsIp('::ffff:10.0.0.1')).toBe(false);
  });

  it('does not allow unparseable address text or wrongly sized bytes', () => {
    expect(list.allowsIp('10.0.0.300')).toBe(false);
    expect(list.allowsIp(new Uint8Array(5))).toBe(false);
  });

  it('matches DNS name entries exactly, case-sensitively as written', () => {
    expect(list.allowsName('db.internal')).toBe(true);
    expect(list.allowsName('DB.internal')).toBe(false);
    expect(list.allowsName('Mixed.Case.net')).toBe(true);
    expect(list.allowsName('mixed.case.net')).toBe(false);
    expect(list.allowsName('db.internal.')).toBe(false);
    expect(list.allowsName('x.db.internal')).toBe(false);
  });

  it('matches *.S patterns on label boundaries with ASCII case folding', () => {
    expect(list.allowsName('example.com')).toBe(true);
    expect(list.allowsName('db.example.com')).toBe(true);
    expect(list.allowsName('a.b.EXAMPLE.com')).toBe(true);
    expect(list.allowsName('badexample.com')).toBe(false);
    expect(list.allowsName('db.example.com.')).toBe(false);
    expect(list.allowsName('example.co')).toBe(false);
  });

  it('never matches names against IP networks, even when the name is an IP literal', () => {
    expect(list.allowsName('10.0.0.1')).toBe(false);
    expect(Allowlist.of(['0.0.0.0/0', '::/0']).allowsName('10.0.0.1')).toBe(false);
  });

  it('lets "*." match every name, and a trailing-dot pattern only trailing-dot names', () => {
    const all = Allowlist.of(['*.']);
    expect(all.allowsName('anything.at.all')).toBe(true);
    expect(all.allowsName('10.0.0.1')).toBe(true);
    expect(all.allowsIp('10.0.0.1')).toBe(false);
    const dotted = Allowlist.of(['*.example.com.']);
    expect(dotted.allowsName('db.example.com.')).toBe(true);
    expect(dotted.allowsName('db.example.com')).toBe(false);
  });

  it('allows everything with the default list', () => {
    const defaults = Allowlist.of(DEFAULT_ALLOWED_ADDRESSES);
    expect(defaults.allowsIp('203.0.113.9')).toBe(true);
    expect(defaults.allowsIp('2001:db8::9')).toBe(true);
    expect(defaults.allowsIp('::ffff:203.0.113.9')).toBe(true);
    expect(defaults.allowsName('db.internal')).toBe(true);
  });

  it('keeps the entries as written, also in JSON', () => {
    expect(list.texts()[5]).toBe('Mixed.Case.net');
    expect(JSON.parse(JSON.stringify(list))).toEqual(list.texts());
  });
});

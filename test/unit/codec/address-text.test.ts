import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  REASONS,
  errorCodeText,
  formatAddress,
  formatMessageId,
  formatVersion,
  isPermanentReason,
  parseAddress,
  reasonText,
  type Address,
} from '../../../src/tunnel/codec/index.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../../../src/tunnel/codec/ip-address.js';
import { address } from './arbitraries.js';

/**
 * Rust's text form of an IPv6 address, from an independent implementation: the WHATWG URL
 * serializer compresses the same way (first longest run of two or more zero groups, lower-case
 * hex) but writes IPv4-mapped addresses in hex, which Rust writes as ::ffff:a.b.c.d.
 */
function rustIpv6Text(text: string): string {
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped === null) return canonical;
  const [hi, lo] = [parseInt(mapped[1] ?? '', 16), parseInt(mapped[2] ?? '', 16)];
  return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

describe('IPv6 text', () => {
  it('prints and parses like Rust for any address text', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const bytes = parseIpv6(text);
        expect(bytes).not.toBeNull();
        expect(formatIpv6(bytes ?? new Uint8Array(16))).toBe(rustIpv6Text(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('handles the shapes with special rules', () => {
    for (const [text, expected] of [
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['1:0:0:1:0:0:0:1', '1:0:0:1::1'], // the longer run wins
      ['1:0:0:1:1:0:0:1', '1::1:1:0:0:1'], // the first of equal runs
      ['1:2:3:4:5:6:0:8', '1:2:3:4:5:6:0:8'], // a single zero group stays
      ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
      ['::10.1.2.3', '::a01:203'], // IPv4-compatible is printed in hex by Rust
      ['2001:DB8::A', '2001:db8::a'],
    ] as const) {
      expect(formatIpv6(parseIpv6(text) ?? new Uint8Array(16))).toBe(expected);
    }
  });

  it('refuses what Rust refuses', () => {
    for (const text of [
      '',
      ':',
      ':::',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      '12345::',
      'fe80::1%eth0',
      '::ffff:1.2.3',
      '::ffff:01.2.3.4',
      '1.2.3.4',
      'g::1',
      ':1::',
      '1::2:',
    ]) {
      expect(parseIpv6(text), text).toBeNull();
    }
  });
});

describe('IPv4 text', () => {
  it('reads dotted quads as strictly as Rust', () => {
    expect(formatIpv4(parseIpv4('255.0.10.1') ?? new Uint8Array(4))).toBe('255.0.10.1');
    for (const text of [
      '256.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.04',
      '1.2.3.4 ',
      '+1.2.3.4',
      '1.2.3.1234',
      '',
    ]) {
      expect(parseIpv4(text), text).toBeNull();
    }
  });
});

describe('formatAddress', () => {
  it('prints addresses like the reference agent (Rust SocketAddr and name:port)', () => {
    expect(formatAddress({ kind: 'addr', family: 4, ip: '1.2.3.4', port: 5 })).toBe('1.2.3.4:5');
    expect(formatAddress({ kind: 'addr', family: 6, ip: '::1', port: 5 })).toBe('[::1]:5');
    expect(formatAddress({ kind: 'addr', family: 6, ip: '::ffff:1.2.3.4', port: 5432 })).toBe('[::ffff:1.2.3.4]:5432');
    expect(formatAddress({ kind: 'name', name: 'db.example.com', port: 5432 })).toBe('db.example.com:5432');
  });
});

describe('parseAddress', () => {
  const ok = (text: string): Address => {
    const result = parseAddress(text);
    if (!result.ok) throw new Error(result.error);
    return result.address;
  };

  it('reads host:port, a.b.c.d:port and [ipv6]:port, normalising IP text', () => {
    expect(ok('db.internal:5432')).toEqual({ kind: 'name', name: 'db.internal', port: 5432 });
    expect(ok(' 10.0.0.1:3306 ')).toEqual({ kind: 'addr', family: 4, ip: '10.0.0.1', port: 3306 });
    expect(ok('[2001:DB8:0:0:0:0:0:1]:5432')).toEqual({ kind: 'addr', family: 6, ip: '2001:db8::1', port: 5432 });
    expect(ok('[::ffff:127.0.0.1]:1')).toEqual({ kind: 'addr', family: 6, ip: '::ffff:127.0.0.1', port: 1 });
    // Like Address::read_owned: text that is not an IP address is a name, even if it looks close.
    expect(ok('010.0.0.1:1')).toEqual({ kind: 'name', name: '010.0.0.1', port: 1 });
    expect(ok('0.0.0.0:0')).toEqual({ kind: 'addr', family: 4, ip: '0.0.0.0', port: 0 });
  });

  it('explains what is wrong with text it cannot read', () => {
    for (const [text, hint] of [
      ['db.internal', 'host:port'],
      ['db.internal:', 'port'],
      ['db:65536', '65535'],
      ['db:-1', 'port'],
      ['::1:5432', 'brackets'],
      ['[::1:5432', ']'],
      ['[::1]5432', ':port'],
      ['[1.2.3.4]:5', 'IPv6'],
      ['[::1]:http', 'port'],
      [':5432', 'empty'],
      ['my db:5432', 'host name'],
    ] as const) {
      const result = parseAddress(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error).toContain(hint);
    }
  });

  it('reads back what formatAddress prints', () => {
    // A name that reads as an IPv4 address comes back as an address, as in the reference agent.
    const printable = address.filter(
      (a) =>
        a.kind === 'addr' || (a.name.trim() === a.name && /^[^\s:[\]/]+$/u.test(a.name) && parseIpv4(a.name) === null),
    );
    fc.assert(
      fc.property(printable, (a) => {
        expect(parseAddress(formatAddress(a))).toEqual({ ok: true, address: a });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('display texts', () => {
  it('match the reference agent', () => {
    expect(REASONS.map(reasonText)).toEqual([
      'unauthenticated agent',
      'unauthorized agent',
      'unsupported agent version',
      'agent disabled',
    ]);
    expect(ERROR_CODES.map(errorCodeText)).toEqual(['could not connect', 'address not allowed', 'decryption failed']);
    expect(REASONS.filter(isPermanentReason)).toEqual(['Unauthenticated', 'Unauthorized', 'UnsupportedVersion']);
    expect(formatMessageId(0xabn)).toBe('00000000000000ab');
    expect(formatVersion({ major: 1n, minor: 3n, patch: 0n })).toBe('1.3.0');
  });
});

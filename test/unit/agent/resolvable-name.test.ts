/**
 * Which names reach the system resolver, and in which form (src/tunnel/agent/resolvable-name.ts):
 * host names pass with A–Z folded; every other text — control characters, spaces, `%`, `/`, `:`,
 * non-ASCII look-alikes, IP addresses in any numeric spelling, names beyond the length limits —
 * is refused before any lookup.
 */
import { describe, expect, it } from 'vitest';
import { resolvableName } from '../../../src/tunnel/agent/resolvable-name.js';

const passes: readonly (readonly [string, string])[] = [
  ['db.corp.example', 'db.corp.example'],
  ['DB.Corp.Example', 'db.corp.example'],
  ['localhost', 'localhost'],
  ['db.corp.example.', 'db.corp.example.'],
  ['_pg._tcp.corp.example', '_pg._tcp.corp.example'],
  ['a_b.corp.example', 'a_b.corp.example'],
  ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
  ['XN--BCHER-KVA.example', 'xn--bcher-kva.example'],
  ['1-2', '1-2'],
  ['123.example', '123.example'],
  ['0x7f.example', '0x7f.example'],
  ['127.0.0.1.nip.io', '127.0.0.1.nip.io'],
  [`${'a'.repeat(63)}.example`, `${'a'.repeat(63)}.example`],
  // 253 bytes: the longest name.
  [
    `${Array.from({ length: 4 }, () => 'b'.repeat(62)).join('.')}.c`,
    `${Array.from({ length: 4 }, () => 'b'.repeat(62)).join('.')}.c`,
  ],
];

describe('resolvableName', () => {
  it.each(passes)('%j is looked up as %j', (name, lookup) => {
    expect(resolvableName(name)).toEqual({ ok: true, lookupName: lookup });
  });

  it.each([
    ['127.0.0.1\u0000.corp.example', 'a NUL byte (getaddrinfo would stop there)'],
    ['169.254.169.254\u0000.corp.example', 'a NUL byte before an allowed suffix'],
    ['db\n.corp.example', 'a line feed'],
    ['db\u001b[31m.corp.example', 'an ANSI escape'],
    ['db\u007f.corp.example', 'DEL'],
    ['db .corp.example', 'a space'],
    [' db.corp.example', 'a leading space'],
    ['db.corp.example ', 'a trailing space'],
    ['db\t.corp.example', 'a tab'],
    ['db%25.corp.example', 'a percent sign'],
    ['fe80::1%eth0', 'an IPv6 address with a zone'],
    ['db/x.corp.example', 'a slash'],
    ['db\\.corp.example', 'a backslash (a resolver escape)'],
    ['db:5432.corp.example', 'a colon'],
    ['[::1]', 'bracketed IPv6'],
    ['ＬＯＣＡＬＨＯＳＴ', 'full-width letters (IDNA would map them to localhost)'],
    ['１２７.０.０.１', 'full-width digits'],
    ['local\u00adhost', 'a soft hyphen (IDNA removes it)'],
    ['loc\u200balhost', 'a zero-width space'],
    ['bücher.example', 'non-ASCII letters'],
    ['db.corp.example\u3002', 'an ideographic full stop (IDNA reads it as a dot)'],
    ['', 'the empty name'],
    ['.', 'a lone dot'],
    ['a..b.example', 'an empty label'],
    ['.corp.example', 'a leading dot'],
    ['db.corp.example..', 'two trailing dots'],
    ['-db.corp.example', 'a label starting with a hyphen'],
    [`${'a'.repeat(64)}.example`, 'a label of 64 bytes'],
    [`${Array.from({ length: 4 }, () => 'b'.repeat(62)).join('.')}.cd`, '254 bytes'],
    ['x'.repeat(100_000), 'a hundred thousand bytes'],
  ])('refuses %j (%s) as not a host name', (name) => {
    expect(resolvableName(name)).toEqual({ ok: false, problem: 'not-a-host-name' });
  });

  it.each([
    ['127.0.0.1', 'dotted quad'],
    ['127.0.0.1.', 'dotted quad with a trailing dot'],
    ['127.1', 'short form'],
    ['127.0.1', 'three parts'],
    ['2130706433', 'one decimal number'],
    ['0x7f000001', 'one hex number'],
    ['0X7F000001', 'one hex number, capital X'],
    ['0x7f.1', 'hex and short'],
    ['0x7f.0x0.0x0.0x1', 'hex in every part'],
    ['0177.0.0.1', 'octal'],
    ['127.000.000.001', 'zero-padded'],
    ['0x', 'a bare 0x (inet_aton reads 0)'],
    ['0xa9.0xfe.0xa9.0xfe', '169.254.169.254 in hex'],
    ['0x7f.0x0.0x0.0x1.', 'hex with a trailing dot'],
    ['::1', 'IPv6 loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped IPv6'],
    ['0:0:0:0:0:0:0:1', 'IPv6 in full'],
  ])('refuses %j (%s) as an IP address', (name) => {
    expect(resolvableName(name)).toEqual({ ok: false, problem: 'ip-address' });
  });

  it('the name handed over never differs from the checked one but in ASCII case', () => {
    for (const [name] of passes) {
      const result = resolvableName(name);
      if (result.ok) expect(result.lookupName.toLowerCase()).toBe(name.toLowerCase());
    }
  });
});

/**
 * Generated targets for the names differential (fast-check): names built from IP addresses in
 * every spelling (dotted, short, decimal, octal, hex, zero-padded, mixed, IPv6 forms, zones,
 * brackets), host labels, the table's names mutated (a hostile character inserted, case flipped,
 * cut, repeated), hostile characters (NUL and other controls, spaces, `%`, `/`, separators,
 * full-width and other IDNA look-alikes, bidi and zero-width characters), suffixes the probe
 * allowlists allow, long labels and names, random text, and raw bytes that are not UTF-8; IP
 * addresses as `Address::Addr`; ports on the listeners or not; sent as a Test or a data stream.
 *
 * Every IP address a name may spell is local (127.0.0.1–3, 0.0.0.0, ::1), so the reference's
 * getaddrinfo — which reads such names as addresses and connects — never leaves the machine;
 * 169.254.169.254 appears only with a NUL right after it (no agent connects there).
 */
import fc from 'fast-check';
import type { ProbeInput, ProbeTarget, Via } from './differential.js';
import { EVERY_NAME_ROWS, SUFFIX_ROWS } from './name-table.js';

const LOCAL_IPV4: readonly (readonly number[])[] = [
  [127, 0, 0, 1],
  [127, 0, 0, 2],
  [127, 0, 0, 3],
  [0, 0, 0, 0],
];

type Ipv4Style =
  | 'dotted'
  | 'three'
  | 'two'
  | 'decimal'
  | 'hex'
  | 'hex-parts'
  | 'octal'
  | 'octal-parts'
  | 'padded'
  | 'mixed'
  | 'upper-hex';

const IPV4_STYLES: readonly Ipv4Style[] = [
  'dotted',
  'three',
  'two',
  'decimal',
  'hex',
  'hex-parts',
  'octal',
  'octal-parts',
  'padded',
  'mixed',
  'upper-hex',
];

/** An IPv4 address in one of the spellings inet_aton accepts. */
export function spellIpv4(octets: readonly number[], style: Ipv4Style): string {
  const [a = 0, b = 0, c = 0, d = 0] = octets;
  const value = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  switch (style) {
    case 'dotted':
      return `${a}.${b}.${c}.${d}`;
    case 'three':
      return `${a}.${b}.${(c << 8) + d}`;
    case 'two':
      return `${a}.${(b << 16) + (c << 8) + d}`;
    case 'decimal':
      return String(value);
    case 'hex':
      return `0x${value.toString(16)}`;
    case 'upper-hex':
      return `0X${value.toString(16).toUpperCase()}`;
    case 'hex-parts':
      return [a, b, c, d].map((o) => `0x${o.toString(16)}`).join('.');
    case 'octal':
      return `0${value.toString(8)}`;
    case 'octal-parts':
      return [a, b, c, d].map((o) => `0${o.toString(8)}`).join('.');
    case 'padded':
      return [a, b, c, d].map((o) => String(o).padStart(3, '0')).join('.');
    case 'mixed':
      return `0x${a.toString(16)}.0${b.toString(8)}.${c}.${d}`;
  }
}

const IPV6_SPELLINGS: readonly string[] = [
  '::1',
  '0:0:0:0:0:0:0:1',
  '0::1',
  '::0:1',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::FFFF:127.0.0.3',
  '::127.0.0.1',
  '[::1]',
  '::1%lo',
  '::1%1',
  '::',
  '[::1]:5432',
];

const HOSTILE: readonly string[] = [
  '\u0000',
  '\n',
  '\r',
  '\t',
  '\u001b',
  '\u001b[2J',
  '\u007f',
  '\u0085',
  ' ',
  '%',
  '%00',
  '%2e',
  '/',
  '\\',
  ':',
  ':80',
  '#',
  '@',
  '?',
  '[',
  ']',
  '*',
  ',',
  ';',
  '"',
  '\u00ad',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u202e',
  '\u2028',
  '\u3002',
  '\uff0e',
  '\uff61',
  'ｄ',
  'Ｄ',
  'ＬＯＣＡＬＨＯＳＴ',
  '１',
  '１２７',
  '\u212a',
  'ſ',
  'ı',
  'İ',
  'é',
  'ü',
  'ß',
  'Ь',
  'ⅼ',
  '🙂',
  '\u0301',
];

const SUFFIXES: readonly string[] = [
  '.corp.example',
  '.dns.example',
  '.CORP.Example',
  '.corp.example.',
  '.dns.example.',
  'corp.example',
  '.example',
  '.exact.example',
  '',
  '.',
  '..',
];

const KNOWN_NAMES: readonly string[] = [
  ...[...SUFFIX_ROWS, ...EVERY_NAME_ROWS]
    .filter((row) => row.target.startsWith('name:') && row.target.length < 300)
    .map((row) => row.target.slice('name:'.length)),
  'db.exact.example',
  'Mixed.Case.example',
  'db.dns.example',
  'loop.dns.example',
  'localhost',
];

const hostChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.split(''));
const label = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: hostChar, minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: hostChar, minLength: 60, maxLength: 66 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('0x7f', '0X7F', '127', '0', '00', '0x', 'xn--bcher-kva', 'xn--zz', '-', '_'),
  },
);
const hostile = fc.constantFrom(...HOSTILE);
const suffix = fc.constantFrom(...SUFFIXES);

const ipv4Name = fc
  .tuple(fc.constantFrom(...LOCAL_IPV4), fc.constantFrom(...IPV4_STYLES))
  .map(([octets, style]) => spellIpv4(octets, style));

/** Puts `piece` into `text` at a position chosen by `at`. */
function insertAt(text: string, piece: string, at: number): string {
  const chars = Array.from(text);
  const index = at % (chars.length + 1);
  return [...chars.slice(0, index), piece, ...chars.slice(index)].join('');
}

function flipCase(text: string, mask: number): string {
  return Array.from(text)
    .map((char, i) =>
      (mask >> (i % 31)) & 1 ? (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase()) : char,
    )
    .join('');
}

const mutatedKnown = fc
  .tuple(
    fc.constantFrom(...KNOWN_NAMES),
    fc.constantFrom('insert', 'case', 'cut', 'repeat', 'suffix', 'none'),
    hostile,
    fc.nat(),
    suffix,
  )
  .map(([name, op, piece, n, end]) => {
    switch (op) {
      case 'insert':
        return insertAt(name, piece, n);
      case 'case':
        return flipCase(name, n);
      case 'cut':
        return Array.from(name)
          .slice(0, n % (name.length + 1))
          .join('');
      case 'repeat':
        return `${name}.`.repeat(1 + (n % 5)) + name;
      case 'suffix':
        return name + end;
      case 'none':
        return name;
    }
  });

const nameText: fc.Arbitrary<string> = fc.oneof(
  // An IP address, maybe a hostile character, then a suffix the allowlist may allow.
  {
    weight: 5,
    arbitrary: fc.tuple(ipv4Name, fc.option(hostile), suffix).map(([ip, bad, end]) => `${ip}${bad ?? ''}${end}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...IPV6_SPELLINGS), fc.option(hostile), suffix)
      .map(([ip, bad, end]) => `${ip}${bad ?? ''}${end}`),
  },
  { weight: 1, arbitrary: suffix.map((end) => `169.254.169.254\u0000${end}`) },
  // Labels, some with a hostile character inside.
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.array(label, { minLength: 1, maxLength: 6 }), fc.option(fc.tuple(hostile, fc.nat())), suffix)
      .map(([labels, bad, end]) => {
        const name = labels.join('.') + end;
        return bad === null ? name : insertAt(name, bad[0], bad[1]);
      }),
  },
  { weight: 4, arbitrary: mutatedKnown },
  // Around the length limits: 253 and 254 bytes, and far beyond.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 240, max: 270 }), suffix)
      .map(([length, end]) => `${'a'.repeat(62)}.`.repeat(5).slice(0, Math.max(1, length - end.length)) + end),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 60_000 }).map((length) => `${'x'.repeat(length)}.corp.example`),
  },
  // Any text at all.
  {
    weight: 2,
    arbitrary: fc.tuple(fc.string({ unit: 'binary', maxLength: 40 }), suffix).map(([text, end]) => text + end),
  },
);

const UTF8_OR_NOT: fc.Arbitrary<{ readonly bytes: Uint8Array; readonly utf8: boolean }> = fc.oneof(
  { weight: 12, arbitrary: nameText.map((text) => ({ bytes: Buffer.from(text, 'utf8'), utf8: true })) },
  // Bytes that are not UTF-8 (no agent can decode the message): a lone continuation or lead byte.
  {
    weight: 1,
    arbitrary: fc
      .tuple(nameText, fc.constantFrom(0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xf0, 0xf5, 0xff), fc.nat())
      .map(([text, byte, at]) => {
        const bytes = Buffer.from(text, 'utf8');
        const index = at % (bytes.length + 1);
        return {
          bytes: Buffer.concat([bytes.subarray(0, index), Buffer.from([byte]), bytes.subarray(index)]),
          utf8: false,
        };
      }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes, utf8: isUtf8(bytes) })) },
);

const port: fc.Arbitrary<number | 'listeners'> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('listeners' as const) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 65535) },
);

const addrTarget: fc.Arbitrary<ProbeTarget> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...LOCAL_IPV4).map((octets) => Uint8Array.from(octets)),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc
        .constantFrom(
          '00000000000000000000000000000001',
          '00000000000000000000ffff7f000001',
          '00000000000000000000ffff7f000003',
          '0064ff9b00000000000000007f000001',
        )
        .map((hex) => Uint8Array.from(Buffer.from(hex, 'hex'))),
    ),
    port,
  )
  .map(([ip, p]) => ({ kind: 'addr', ip, port: p }));

export const probeInput: fc.Arbitrary<ProbeInput> = fc
  .tuple(
    fc.oneof(
      { weight: 9, arbitrary: fc.tuple(UTF8_OR_NOT, port) },
      { weight: 1, arbitrary: fc.tuple(fc.constant(null), fc.constant('listeners' as const)) },
    ),
    addrTarget,
    fc.constantFrom<Via>('test', 'test', 'stream', 'stream', 'stream-half-close'),
  )
  .map(([[name, p], addr, via]): ProbeInput => {
    if (name === null) return { target: addr, via };
    // A Test that is not UTF-8 ends the control connection (both agents), which would cost a
    // reconnect per input: such names go on data streams, where only the stream ends.
    return { target: { kind: 'name', name: name.bytes, port: p }, via: name.utf8 ? via : 'stream' };
  });

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

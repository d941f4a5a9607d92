/**
 * The names table (issue 13): targets a hostile gateway may send as `Address::Name` — a NUL or
 * another control character between an IP address and an allowed suffix, spaces, `%`, `/`,
 * non-ASCII and full-width look-alikes that IDNA would map onto allowed or loopback names, IP
 * addresses in every spelling, trailing dots, case, long names — and the forms allowed today,
 * with the answer each agent gives (`test/security/target-names.test.ts` runs every row against
 * the real reference agent and ours; the fuzzer draws on the same pieces).
 *
 * Two allowlists: SUFFIX_ALLOWLIST holds suffix patterns, exact names and the allowed listener's
 * network; EVERY_NAME_ALLOWLIST allows every name (`*.`) and the same network, so every name
 * reaches the agents' resolvers. The listeners: 127.0.0.1, 127.0.0.2 and ::1 excluded, 127.0.0.3
 * allowed; `db.dns.example` resolves to 127.0.0.3 and `loop.dns.example` to 127.0.0.1 in the
 * recording DNS (PROBE_DNS).
 */
import type { ProbeAnswer } from './probe-gateway.js';
import { PROBE_ALLOWED_NETWORKS } from './differential.js';

export const SUFFIX_ALLOWLIST: readonly string[] = [
  '*.corp.example',
  '*.dns.example',
  'db.exact.example',
  'Mixed.Case.example',
  ...PROBE_ALLOWED_NETWORKS,
];

export const EVERY_NAME_ALLOWLIST: readonly string[] = ['*.', ...PROBE_ALLOWED_NETWORKS];

export interface NameRow {
  /** `name:` + the name's text, `ip:` + an IP address (sent as `Address::Addr`). */
  readonly target: string;
  readonly reference: ProbeAnswer;
  readonly ours: ProbeAnswer;
  /** The answers without the recording DNS (names under dns.example do not resolve then). */
  readonly withoutDns?: ProbeAnswer;
  readonly why: string;
}

const both = (target: string, answer: ProbeAnswer, why: string, withoutDns?: ProbeAnswer): NameRow => ({
  target,
  reference: answer,
  ours: answer,
  ...(withoutDns === undefined ? {} : { withoutDns }),
  why,
});

/** The reference connects (its getaddrinfo reads the name as an IP address); ours refuses without a lookup. */
const bypass = (target: string, why: string): NameRow => ({ target, reference: 'Ok', ours: 'CouldNotConnect', why });

const NOT_ALLOWED = 'AddressNotAllowed';
const FAILS = 'CouldNotConnect';

export const SUFFIX_ROWS: readonly NameRow[] = [
  // What works today.
  both('name:db.dns.example', 'Ok', 'an allowed name, resolved by DNS to the allowed listener', FAILS),
  both('name:DB.Dns.EXAMPLE', 'Ok', 'the same in other case: patterns ignore case, DNS too', FAILS),
  both('name:db.dns.example.', NOT_ALLOWED, 'a trailing dot is significant to a pattern'),
  both('name:loop.dns.example', 'Ok', 'an allowed name that DNS maps to 127.0.0.1: DNS answers are trusted', FAILS),
  both('name:db.corp.example', FAILS, 'an allowed name that does not resolve'),
  both('name:Mixed.Case.example', FAILS, 'an exact entry, byte for byte (does not resolve)'),
  both('name:mixed.case.example', NOT_ALLOWED, 'an exact entry in other case'),
  both('name:db.exact.example.', NOT_ALLOWED, 'an exact entry with a trailing dot'),
  both('name:evilcorp.example', NOT_ALLOWED, 'the suffix must start on a label boundary'),
  both('name:_pg._tcp.corp.example', FAILS, 'underscores are host-name characters for both'),
  both('ip:127.0.0.3', 'Ok', 'the allowed listener by address'),
  both('ip:::ffff:127.0.0.3', 'Ok', 'the allowed listener as an IPv4-mapped address, allowed as such'),
  both('ip:127.0.0.1', NOT_ALLOWED, 'an excluded listener by address'),
  both('ip:127.0.0.2', NOT_ALLOWED, 'an excluded listener by address'),
  both('ip:::1', NOT_ALLOWED, 'the IPv6 loopback by address'),
  // A NUL: getaddrinfo reads a C string, which ends there.
  both('name:127.0.0.1\u0000.corp.example', FAILS, 'NUL between an excluded IP and an allowed suffix'),
  both('name:127.0.0.2\u0000.corp.example', FAILS, 'NUL between an excluded IP and an allowed suffix'),
  both('name:169.254.169.254\u0000.corp.example', FAILS, 'NUL before an allowed suffix: the metadata address'),
  both('name:localhost\u0000.corp.example', FAILS, 'NUL between a loopback name and an allowed suffix'),
  both('name:::1\u0000.corp.example', FAILS, 'NUL between IPv6 loopback and an allowed suffix'),
  both('name:db.dns.example\u0000.corp.example', FAILS, 'NUL between an allowed name and another suffix'),
  // Other control characters, spaces and separators.
  both('name:127.0.0.1\n.corp.example', FAILS, 'a line feed (and a forged log line)'),
  both('name:127.0.0.1\r.corp.example', FAILS, 'a carriage return'),
  both('name:127.0.0.1\t.corp.example', FAILS, 'a tab'),
  both('name:db\u001b[2J.corp.example', FAILS, 'an ANSI escape (clears a terminal)'),
  both('name:db\u007f.corp.example', FAILS, 'DEL'),
  both('name:db\u0085.corp.example', FAILS, 'a C1 control (NEL)'),
  both('name:127.0.0.1 .corp.example', FAILS, 'a space after an IP address'),
  both('name: db.dns.example', FAILS, 'a leading space'),
  both('name:127.0.0.1%lo.corp.example', FAILS, 'a percent sign (zone syntax)'),
  both('name:db%2e.corp.example', FAILS, 'percent-encoding'),
  both('name:127.0.0.1/.corp.example', FAILS, 'a slash'),
  both('name:db\\.corp.example', FAILS, 'a backslash (a resolver escape)'),
  both('name:127.0.0.1:80.corp.example', FAILS, 'a colon'),
  both('name:db#.corp.example', FAILS, 'a hash'),
  // Non-ASCII: IDNA/UTS-46 would map these onto other names.
  both('name:ＤＢ.dns.example', FAILS, 'full-width letters: IDNA maps them to db.dns.example'),
  both('name:d\u00adb.dns.example', FAILS, 'a soft hyphen: IDNA removes it'),
  both('name:d\u200bb.dns.example', FAILS, 'a zero-width space: IDNA removes it'),
  both('name:d\u200db.dns.example', FAILS, 'a zero-width joiner'),
  both('name:db\uff0edns.example', NOT_ALLOWED, 'a full-width full stop is not the pattern’s dot'),
  both('name:x.db\u3002dns.example', NOT_ALLOWED, 'an ideographic full stop is not the pattern’s dot'),
  both('name:ｌｏｏｐ.dns.example', FAILS, 'full-width letters mapping onto a name DNS sends to 127.0.0.1'),
  both('name:bücher.corp.example', FAILS, 'non-ASCII letters (IDNA would send xn--bcher-kva)'),
  both('name:xn--bcher-kva.corp.example', FAILS, 'the same as an A-label: a host name'),
  both('name:dЬ.dns.example', FAILS, 'a Cyrillic look-alike'),
  both('name:\u202eelpmaxe.snd.bd.dns.example', FAILS, 'a right-to-left override'),
  // Lengths.
  both(`name:${'a'.repeat(63)}.corp.example`, FAILS, 'a label of 63 bytes (a host name)'),
  both(`name:${'a'.repeat(64)}.corp.example`, FAILS, 'a label of 64 bytes'),
  both(`name:${'a.'.repeat(119)}corp.example`, FAILS, '250 bytes (a host name)'),
  both(`name:${'a.'.repeat(121)}corp.example`, FAILS, '254 bytes'),
  both(`name:${'x'.repeat(100_000)}.corp.example`, FAILS, 'a hundred thousand bytes'),
  both(`name:${'\u0001'.repeat(5_000)}.corp.example`, FAILS, 'five thousand control characters'),
  both('name:.corp.example', FAILS, 'an empty first label'),
  both('name:a..corp.example', FAILS, 'an empty inner label'),
  both('name:-db.corp.example', FAILS, 'a label starting with a hyphen'),
];

export const EVERY_NAME_ROWS: readonly NameRow[] = [
  both('name:localhost', 'Ok', 'the hosts file maps it to 127.0.0.1: hosts answers are trusted as DNS answers are'),
  both('name:LocalHost', 'Ok', 'the same in other case (the hosts file ignores case)'),
  both('name:localhost.', FAILS, 'with a trailing dot the hosts file does not match it'),
  both('name:db.dns.example', 'Ok', 'an ordinary name', FAILS),
  // IP addresses spelled as names: getaddrinfo reads them as addresses, without DNS.
  bypass('name:127.0.0.1', 'dotted quad'),
  bypass('name:127.0.0.2', 'dotted quad of the second excluded listener'),
  bypass('name:127.1', 'short form'),
  bypass('name:127.0.1', 'three parts'),
  bypass('name:2130706433', 'one decimal number'),
  bypass('name:0x7f000001', 'one hex number (a valid DNS name in the allowlist grammar)'),
  bypass('name:0X7F000001', 'one hex number, capitals'),
  bypass('name:0x7f.0x0.0x0.0x1', 'hex in every part'),
  bypass('name:0x7f.1', 'hex and short'),
  bypass('name:0177.0.0.1', 'octal'),
  bypass('name:017700000001', 'one octal number'),
  bypass('name:127.000.000.001', 'zero-padded'),
  bypass('name:::1', 'IPv6 loopback'),
  bypass('name:0:0:0:0:0:0:0:1', 'IPv6 loopback in full'),
  bypass('name:::ffff:127.0.0.1', 'IPv4-mapped'),
  both('name:::1%lo', FAILS, 'IPv6 loopback with a zone: glibc refuses an interface name here'),
  both('name:127.0.0.1.', FAILS, 'a trailing dot: not numeric for getaddrinfo, and no such name'),
  both('name:[::1]', FAILS, 'brackets: not an address for getaddrinfo'),
  both('name:127.0.0.1 ', FAILS, 'a trailing space: glibc reads addresses exactly'),
  both('name:127.0.0.1\u0000', FAILS, 'a trailing NUL'),
  both('name:\u0000127.0.0.1', FAILS, 'a leading NUL'),
  both('name:', FAILS, 'the empty name'),
  // Full-width and other look-alikes of addresses and loopback names.
  both('name:ＬＯＣＡＬＨＯＳＴ', FAILS, 'full-width letters: IDNA maps them to localhost'),
  both('name:local\u00adhost', FAILS, 'a soft hyphen: IDNA removes it'),
  both('name:loc\u200balhost', FAILS, 'a zero-width space: IDNA removes it'),
  both('name:１２７.０.０.１', FAILS, 'full-width digits: IDNA maps them to 127.0.0.1'),
  both('name:127。0。0。1', FAILS, 'ideographic full stops: IDNA maps them to dots'),
  both('name:127．0．0．1', FAILS, 'full-width full stops'),
  both('name:ⅼocalhost', FAILS, 'a Roman numeral fifty for the l'),
  both('name:\u212Aelvin.dns.example', FAILS, 'the Kelvin sign (lower-cases to k outside ASCII)'),
];

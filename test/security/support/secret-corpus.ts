/**
 * Generated corpora of the secrets users put in their settings, for tests that grep every output
 * for them:
 *
 * - proxy credentials as password generators make them: random letters and digits with `/`, `#`,
 *   `?`, `@`, spaces, `:`, `%`, quotes, brackets and non-ASCII between them; written in a proxy
 *   URL as they are, percent-encoded, without a scheme, and in the broken ways people write URLs
 *   (no host, a path, a bad port, a space in the host, an unsupported scheme);
 * - a configuration file holding a secret key in any TOML spelling: bare, quoted and escaped key
 *   names in any case, dotted keys, whitespace and line breaks around `=`, basic, literal and
 *   multi-line values (with line continuations and `\u` escapes), unclosed strings, bare words,
 *   arrays, an older key commented out, the key again in a comment — and breakage elsewhere.
 *
 * `leaks` says which spelling of a secret a text contains, if any. Every random piece of a
 * password is at least six letters and digits (starting with a letter that is not a hex digit,
 * so a `%` before it never forms an escape), so each piece is searched for on its own: a leak of
 * the part after a `#` or an `@` is caught too.
 */
import fc from 'fast-check';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';

const PIECE = /^[g-zG-Z][A-Za-z0-9]{5,9}$/;

/** Characters generated passwords hold and URL parsers trip on. */
const PASSWORD_SEPARATORS = [
  '/',
  '#',
  '?',
  '@',
  ' ',
  ':',
  '%',
  '%%',
  '%2',
  '@@',
  '//',
  '://',
  '&',
  '=',
  '+',
  '"',
  "'",
  '\\',
  '!',
  '$',
  ';',
  ',',
  '[',
  ']',
  '{',
  '}',
  '~',
  '*',
  '<',
  '>',
  '|',
  '^',
  '`',
  'ä',
  '€',
  '😀',
] as const;

/** A user name may hold anything but a `:` as it is (the first `:` ends it). */
const USER_SEPARATORS = PASSWORD_SEPARATORS.filter((separator) => !separator.includes(':'));

function woven(separators: readonly string[], minPieces: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.stringMatching(PIECE),
      fc.array(fc.tuple(fc.constantFrom(...separators), fc.stringMatching(PIECE)), {
        minLength: minPieces - 1,
        maxLength: 3,
      }),
      fc.option(fc.constantFrom(...separators), { nil: undefined }),
    )
    .map(
      ([first, rest, last]) =>
        `${first}${rest.map(([separator, piece]) => `${separator}${piece}`).join('')}${last ?? ''}`,
    );
}

export interface ProxyCredentials {
  readonly user: string;
  readonly password: string;
}

export const proxyCredentials: fc.Arbitrary<ProxyCredentials> = fc.record({
  user: woven(USER_SEPARATORS, 1),
  password: woven(PASSWORD_SEPARATORS, 2),
});

/** Credentials no generator run misses: every separator that broke the old parser at once. */
export const NASTY_CREDENTIALS: ProxyCredentials = {
  user: 'corpUser7 @xrayed/yellow#zulu99',
  password: 'hunterPw9/#?@ :%zzTop%Alpha77@@//endPiece',
};

/** The credentials of a deterministic sample (the same on every run: failures reproduce). */
export function sampleCredentials(count: number, seed = 16): ProxyCredentials[] {
  return [NASTY_CREDENTIALS, ...fc.sample(proxyCredentials, { numRuns: count - 1, seed })];
}

/** Ways the credentials are written in a proxy URL that must work: the proxy gets exactly them. */
export function workingProxyUrls(credentials: ProxyCredentials, hostPort: string): readonly string[] {
  const { user, password } = credentials;
  return [
    `http://${user}:${password}@${hostPort}`,
    `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hostPort}`,
    `${user}:${password}@${hostPort}`,
    `HTTP://${user}:${password}@${hostPort}/`,
  ];
}

/** Ways people break a proxy URL: each must be refused without repeating any of it. */
export function brokenProxyUrls(credentials: ProxyCredentials, hostPort: string): readonly string[] {
  const { user, password } = credentials;
  return [
    `http://${user}:${password}@`,
    `http://${user}:${password}@${hostPort}/some/path`,
    `http://${user}:${password}@${hostPort}?query`,
    `http://${user}:${password}@127.0.0.1:99999`,
    `http://${user}:${password}@pro xy.example.com:3128`,
    `http://${user}:${password}@[fd00::1:3128`,
    `https://${user}:${password}@${hostPort}`,
    `socks5://${user}:${password}@${hostPort}`,
  ];
}

/** The `Proxy-Authorization` value the proxy must receive. */
export function basicAuthorization(credentials: ProxyCredentials): string {
  return `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** Every spelling of the credentials whose presence in an output is a leak. */
export function credentialSpellings(credentials: ProxyCredentials): string[] {
  const { user, password } = credentials;
  const pair = `${user}:${password}`;
  const pieces = [user, password].flatMap((text) => text.match(/[A-Za-z0-9]{6,}/g) ?? []);
  return [
    ...new Set([
      user,
      password,
      pair,
      encodeURIComponent(user),
      encodeURIComponent(password),
      Buffer.from(password, 'utf8').toString('base64url'),
      Buffer.from(pair, 'utf8').toString('base64'),
      Buffer.from(pair, 'utf8').toString('base64url'),
      ...pieces,
    ]),
  ];
}

/** Every spelling of a secret key whose presence is a leak: base64url, base64, hex, and every 12-character piece. */
export function keySpellings(key: string): string[] {
  const bytes = Buffer.from(key, 'base64url');
  const pieces: string[] = [];
  for (let i = 0; i + 12 <= key.length; i += 1) pieces.push(key.slice(i, i + 12));
  return [key, bytes.toString('base64'), bytes.toString('hex'), bytes.toString('hex').toUpperCase(), ...pieces];
}

/**
 * The first spelling of `secrets` found in `text`, or null; `text` is also read with line
 * continuations joined and `\u`/`\U` escapes decoded (a TOML reader would see those).
 */
export function leaks(text: string, spellings: readonly string[]): string | null {
  const decoded = text
    .replace(/\\[ \t]*\r?\n[ \t\r\n]*/g, '')
    .replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})/g, (_, u4?: string, u8?: string) =>
      String.fromCodePoint(Number.parseInt(u4 ?? u8 ?? '0', 16)),
    );
  return spellings.find((spelling) => text.includes(spelling) || decoded.includes(spelling)) ?? null;
}

// ---- configuration files ----------------------------------------------------------------------

const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** How `secret-key` is named. */
const keyName = fc.constantFrom(
  'secret-key',
  'SECRET-KEY',
  'Secret-Key',
  '"secret-key"',
  "'secret-key'",
  '"secret\\u002dkey"',
  '"\\u0073ecret-key"',
  '"secret\\U0000002Dkey"',
  '"SECRET-key"',
  '" secret-key"',
  'agent."secret-key"',
  'secret-key . value',
  '\'secret-key\'."x"',
);

const assignment = fc.constantFrom(' = ', '=', '\t=\t', '  =  ', ' =', '\n= ', ' =\n  ');

/** The key's text split at random points by line continuations (`\` + line break + indent). */
function continued(key: string, cuts: readonly number[]): string {
  const points = [...new Set(cuts.map((cut) => cut % key.length))].sort((a, b) => a - b);
  let out = '';
  let at = 0;
  for (const point of points) {
    out += `${key.slice(at, point)}\\\n    `;
    at = point;
  }
  return out + key.slice(at);
}

/** How the key's value is written (some of these do not parse, on purpose). */
function keyValue(key: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(`"${key}"`),
    fc.constant(`'${key}'`),
    fc.constant(`"""${key}"""`),
    fc.constant(`"""\n${key}"""`),
    fc.constant(`'''${key}'''`),
    fc.constant(`'''\n${key}'''`),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }).map((cuts) => `"""\\\n  ${continued(key, cuts)}"""`),
    fc
      .array(fc.boolean(), { minLength: key.length, maxLength: key.length })
      .map((escape) => `"${key.replace(/./g, (c, i: number) => (escape[i] === true ? escapeChar(c) : c))}"`),
    fc.constant(`"${key}`),
    fc.constant(`"""${key}`),
    fc.constant(key),
    fc.constant(`["${key}"]`),
    fc.constant(`{ value = "${key}" }`),
    fc.constant(`"${key}" trailing junk`),
  );
}

const validLine = fc.constantFrom(
  'allowed-addresses = ["10.0.0.0/8"]',
  'ping-frequency = "60s"',
  "connect-timeout = '30s'",
  '# a comment',
  '',
);
const brokenLine = fc.constantFrom(
  'this is not toml',
  'unclosed = "string',
  'multi = """never closed',
  '[server',
  'x = [1, 2',
  'secret-key = "duplicate-later"',
);
/** Mostly valid lines, some broken: both kinds of file are made. */
const otherLines = fc.oneof({ arbitrary: validLine, weight: 6 }, { arbitrary: brokenLine, weight: 1 });

/** A secret key as `cluvio-agent --gen-keypair` prints it: 32 random bytes in unpadded base64url. */
const secretKeyText = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => SecretKey.fromBase64url(Buffer.from(bytes).toString('base64url')).exportBase64url());

export interface KeyedConfig {
  /** The file's text. */
  readonly text: string;
  /** Keys that must not appear in anything made from it (the key, and an older one commented out). */
  readonly keys: readonly string[];
}

/** Configuration files holding a secret key (and an older one in a comment) in any spelling. */
export const keyedConfig: fc.Arbitrary<KeyedConfig> = fc
  .record({
    key: secretKeyText,
    old: secretKeyText,
    name: keyName,
    assign: assignment,
    before: fc.array(otherLines, { maxLength: 3 }),
    after: fc.array(otherLines, { maxLength: 3 }),
    commentedOld: fc.boolean(),
    keyInComment: fc.boolean(),
    crlf: fc.boolean(),
  })
  .chain((parts) =>
    fc
      .constantFrom(
        parts.key,
        // Typed wrong, still (nearly all of) the secret: one character short, a space or a dot inside.
        parts.key.slice(1),
        `${parts.key.slice(0, 21)} ${parts.key.slice(21)}`,
        `${parts.key.slice(0, 30)}.${parts.key.slice(30)}`,
      )
      .chain(keyValue)
      .map((value) => {
        const lines = [
          ...(parts.commentedOld ? [`# secret-key = "${parts.old}"  (the key before)`] : []),
          ...parts.before,
          `${parts.name}${parts.assign}${value}${parts.keyInComment ? `  # ${parts.key}` : ''}`,
          ...parts.after,
          '[server]',
          'host = "gw.example.com"',
          '',
        ];
        const text = lines.join(parts.crlf ? '\r\n' : '\n');
        return { text, keys: parts.commentedOld ? [parts.key, parts.old] : [parts.key] };
      }),
  );

/** A deterministic sample of configuration files (the same on every run). */
export function sampleKeyedConfigs(count: number, seed = 16): KeyedConfig[] {
  return fc.sample(keyedConfig, { numRuns: count, seed });
}

/**
 * A configuration file that did not parse, made fit for a support bundle: people make a bundle
 * exactly when the file is broken, so this cannot rely on a TOML parser, nor on the file's
 * strings being closed where they should be. Two passes, each enough on its own for the usual
 * mistakes, together covering the unusual ones:
 *
 * 1. every value assigned to a key named `secret-key` is replaced by `"[redacted]"`, whatever the
 *    spelling: a bare, basic-quoted or literal-quoted key name, escapes in the name
 *    (`"secret\u002dkey"`), any letter case (config-rs ignores it), `secret_key`, a dotted key
 *    with it as any part, whitespace or line breaks around `=`, inside an inline table; and
 *    whatever the value: basic or literal strings (closed or not), multi-line `"""`/`'''`
 *    strings with line continuations, arrays, tables, bare words. The scan does not track which
 *    text is inside a string, so an assignment in a broken string is found too; a value that
 *    does not end (an unclosed `"""`) is replaced up to the end of the file;
 * 2. every run of 43 or more base64 characters (`A–Z a–z 0–9 - _ + /`: the length of a secret key,
 *    in base64url or standard base64; hex spellings too), comments included, is replaced by
 *    `[redacted]`, counting `\uXXXX` escapes as characters and reading across a line
 *    continuation (`\` at the end of a line) — so a key is caught wherever it is and however it
 *    is split. Long certificate lines are replaced as well: the file did not parse, the
 *    report says why.
 *
 * Linear in the file's length (no backtracking regular expressions over untrusted text).
 */

export const REDACTED_VALUE = '"[redacted]"';
export const REDACTED_RUN = '[redacted]';

/** A secret key is 32 bytes: 43 characters of unpadded base64url. */
export const SECRET_RUN_LENGTH = 43;

/** Longer quoted key names are not read as names (`secret-key` with every character escaped is 102). */
const MAX_QUOTED_KEY = 128;

/** Parts of a dotted key read at most (the scan stays linear in the file's length). */
const MAX_KEY_SEGMENTS = 8;

const SECRET_KEY_NAME = /^secret[-_]?key$/i;

const isBareKeyChar = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9_-]$/.test(c);
const isLineSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

interface Segment {
  /** The key name it spells (escapes decoded). */
  readonly name: string;
  readonly end: number;
  readonly quoted: boolean;
}

function decodeBasicEscapes(body: string): string {
  return body.replace(
    /\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|(.))/gs,
    (_, u4?: string, u8?: string, x2?: string, other?: string) => {
      const hex = u4 ?? u8 ?? x2;
      if (hex !== undefined) {
        const code = Number.parseInt(hex, 16);
        return code <= 0x10ffff ? String.fromCodePoint(code) : '';
      }
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b' };
      return simple[other ?? ''] ?? other ?? '';
    },
  );
}

/** One key segment at `start` (bare, "basic" or 'literal', on one line), or null. */
function readSegment(text: string, start: number): Segment | null {
  const first = text[start];
  if (isBareKeyChar(first)) {
    let end = start;
    while (isBareKeyChar(text[end])) end += 1;
    return { name: text.slice(start, end), end, quoted: false };
  }
  if (first !== '"' && first !== "'") return null;
  const limit = Math.min(text.length, start + MAX_QUOTED_KEY);
  for (let i = start + 1; i < limit; i += 1) {
    const c = text[i];
    if (c === '\n') return null;
    if (first === '"' && c === '\\') {
      i += 1;
      continue;
    }
    if (c === first) {
      const body = text.slice(start + 1, i);
      return { name: first === '"' ? decodeBasicEscapes(body) : body, end: i + 1, quoted: true };
    }
  }
  return null;
}

interface KeyPath {
  readonly names: readonly string[];
  /** Just past the `=`, or -1 when the path is not followed by one. */
  readonly assignmentEnd: number;
  /** Just past the last segment read. */
  readonly end: number;
  /** Where the first quoted segment starts (its text may hold an assignment to look at), or -1. */
  readonly firstQuoted: number;
}

/** A dotted key path at `start` and whether `=` follows it (across spaces and line breaks). */
function readKeyPath(text: string, start: number, first: Segment): KeyPath {
  const names = [first.name];
  let firstQuoted = first.quoted ? start : -1;
  let end = first.end;
  while (names.length < MAX_KEY_SEGMENTS) {
    let i = end;
    while (isLineSpace(text[i])) i += 1;
    if (text[i] !== '.') break;
    i += 1;
    while (isLineSpace(text[i])) i += 1;
    const next = readSegment(text, i);
    if (next === null) break;
    if (next.quoted && firstQuoted < 0) firstQuoted = i;
    names.push(next.name);
    end = next.end;
  }
  let i = end;
  while (isSpace(text[i])) i += 1;
  return { names, assignmentEnd: text[i] === '=' ? i + 1 : -1, end, firstQuoted };
}

/** Just past the closing `quote` (a single `"`/`'` or a triple), or where an unclosed string ends. */
function stringEnd(text: string, start: number, quote: string): number {
  const basic = quote.startsWith('"');
  const multiLine = quote.length === 3;
  for (let i = start + quote.length; i < text.length; i += 1) {
    const c = text[i];
    if (basic && c === '\\') {
      i += 1; // whatever it escapes, a line break (a continuation) included
      continue;
    }
    if (!multiLine && c === '\n') return i;
    if (text.startsWith(quote, i)) {
      let end = i + quote.length;
      // Up to two quotes right before the closing triple belong to the string.
      while (multiLine && end - i < 5 && text[end] === quote[0]) end += 1;
      return end;
    }
  }
  return text.length;
}

function quoteAt(text: string, i: number): string | null {
  for (const quote of ['"""', "'''", '"', "'"]) if (text.startsWith(quote, i)) return quote;
  return null;
}

/** Just past the bracket closing the array or inline table at `start` (strings and comments skipped). */
function bracketEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length;) {
    const c = text[i];
    const quote = quoteAt(text, i);
    if (quote !== null) {
      i = stringEnd(text, i, quote);
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
      continue;
    }
    if (c === '[' || c === '{') depth += 1;
    if (c === ']' || c === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  return text.length;
}

/** The value that starts at or after `from` (leading spaces and line breaks skipped): [start, end). */
function valueSpan(text: string, from: number): readonly [number, number] {
  let start = from;
  while (isSpace(text[start])) start += 1;
  const quote = quoteAt(text, start);
  if (quote !== null) return [start, stringEnd(text, start, quote)];
  if (text[start] === '[' || text[start] === '{') return [start, bracketEnd(text, start)];
  let end = start;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end += 1;
  return [start, end];
}

/** Pass 1: the value of every assignment to a `secret-key` replaced by `"[redacted]"`. */
export function redactSecretKeyValues(text: string): string {
  const spans: (readonly [number, number])[] = [];
  let i = 0;
  while (i < text.length) {
    // A key starts where a bare word does not continue one (`my-secret-key` is another key).
    const segment = isBareKeyChar(text[i - 1]) && isBareKeyChar(text[i]) ? null : readSegment(text, i);
    if (segment === null) {
      i += 1;
      continue;
    }
    const keyPath = readKeyPath(text, i, segment);
    if (keyPath.assignmentEnd >= 0 && keyPath.names.some((name) => SECRET_KEY_NAME.test(name.trim()))) {
      const span = valueSpan(text, keyPath.assignmentEnd);
      spans.push(span);
      i = Math.max(span[1], keyPath.assignmentEnd);
      continue;
    }
    // Not a secret assignment: go on after the path, or inside its first quoted name (which may
    // be a broken string whose text holds one).
    i = segment.quoted ? i + 1 : keyPath.firstQuoted > i ? keyPath.firstQuoted : keyPath.end;
  }
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += `${text.slice(at, start)}${REDACTED_VALUE}`;
    at = end;
  }
  return out + text.slice(at);
}

/** A run of base64 characters, `\uXXXX`/`\UXXXXXXXX` escapes and line continuations between them. */
const RUN = /(?:[A-Za-z0-9_+/-]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\[ \t]*\r?\n[ \t\r\n]*)+/g;
const RUN_UNIT = /[A-Za-z0-9_+/-]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}/g;

/** Pass 2: every run of at least `SECRET_RUN_LENGTH` base64 characters replaced by `[redacted]`. */
export function redactLongRuns(text: string): string {
  return text.replace(RUN, (run) => {
    if (run.length < SECRET_RUN_LENGTH) return run;
    const units = run.match(RUN_UNIT)?.length ?? 0;
    if (units < SECRET_RUN_LENGTH) return run;
    // A continuation's line break at the end belongs to the next line, not to the run.
    const trailing = /\\[ \t]*\r?\n[ \t\r\n]*$/.exec(run)?.[0] ?? '';
    return `${REDACTED_RUN}${trailing === '' ? '' : '\n'}`;
  });
}

/** A configuration text that did not parse, with no secret key left in it (both passes). */
export function redactUnparsedConfig(text: string): string {
  return redactLongRuns(redactSecretKeyValues(text));
}

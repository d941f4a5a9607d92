/**
 * `loggableText`: any text from outside (a target name the gateway sent, a peer's message) made
 * safe to put into a log line or on screen: invisible and control characters escaped, and the
 * whole bounded, with the original size said where it was cut.
 *
 * Escaped: C0 and C1 controls and DEL (newlines forge log lines, ESC sequences recolour or erase a
 * terminal), and format and separator characters (bidi overrides that reorder what a reader sees,
 * zero-width characters and soft hyphens that hide a difference, U+2028/U+2029 line breaks) — as
 * `\n`, `\r`, `\t`, `\0` or `\u{…}`. Backslashes are left as they are, so that escaping twice
 * changes nothing (the logger applies this to every record as a net, call sites may already have).
 *
 *   loggableText('db\n2026-01-01 ERROR forged')  // 'db\\n2026-01-01 ERROR forged'
 *   loggableText('x'.repeat(100_000), 16)        // 'xxxx…[100000 bytes]' (16 characters)
 *
 * No Node imports: the UI may use it as it is.
 */

/** Characters that are invisible or move text: controls (Cc), format (Cf), line/paragraph separators, lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/** Bound for a host name in a log line or table: every valid name (≤ 253 bytes) fits whole. */
export const NAME_TEXT_LIMIT = 256;

/** Bound for any message or field value in a log record (the logger's net). */
export const LOG_TEXT_LIMIT = 4096;

/**
 * `text` with unprintable characters escaped, at most `limit` UTF-16 units long (surrogate pairs
 * kept whole); a cut text ends in `…[<UTF-8 bytes of the original> bytes]`.
 */
export function loggableText(text: string, limit: number = LOG_TEXT_LIMIT): string {
  const escaped = text.replace(UNPRINTABLE, escapeCharacter);
  if (escaped.length <= limit) return escaped;
  const marker = `…[${utf8Length(text)} bytes]`;
  let end = Math.max(0, limit - marker.length);
  // Do not split a surrogate pair (the escaped text has no lone surrogates left).
  const last = escaped.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${escaped.slice(0, end)}${marker}`;
}

function escapeCharacter(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
}

/** UTF-8 length without encoding (lone surrogates count as U+FFFD, 3 bytes, as TextEncoder writes them). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

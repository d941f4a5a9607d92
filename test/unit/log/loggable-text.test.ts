/**
 * `loggableText` (src/tunnel/log/loggable-text.ts) and the logger's use of it: whatever text a
 * peer gets into a log call — a target name with a line break, a terminal escape, a bidi override
 * or half a megabyte — every record leaves the logger with it escaped and bounded, so a text line
 * stays one line, a JSON line stays one line, and no sink holds more than LOG_TEXT_LIMIT per value.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/shared/log-record.js';
import { formatLogJson } from '../../../src/tunnel/log/json-format.js';
import { LOG_TEXT_LIMIT, loggableText, NAME_TEXT_LIMIT } from '../../../src/tunnel/log/loggable-text.js';
import { LogHub } from '../../../src/tunnel/log/logger.js';
import { formatLogText } from '../../../src/tunnel/log/text-format.js';

const ESC = '\u001b';

describe('loggableText', () => {
  it.each([
    ['db\n2026-01-01T00:00:00Z ERROR forged', 'db\\n2026-01-01T00:00:00Z ERROR forged'],
    ['a\r\tb\u0000c', 'a\\r\\tb\\0c'],
    [`${ESC}[31mred${ESC}[0m`, '\\u{1b}[31mred\\u{1b}[0m'],
    ['del\u007f c1\u0085 nbsp-ok\u00a0', 'del\\u{7f} c1\\u{85} nbsp-ok\u00a0'],
    ['evil\u202egnp.exe', 'evil\\u{202e}gnp.exe'],
    ['local\u00adhost loc\u200balhost', 'local\\u{ad}host loc\\u{200b}alhost'],
    ['line\u2028sep\u2029', 'line\\u{2028}sep\\u{2029}'],
    ['lone \ud800 surrogate', 'lone \\u{d800} surrogate'],
    ['ＬＯＣＡＬＨＯＳＴ bücher 🙂', 'ＬＯＣＡＬＨＯＳＴ bücher 🙂'],
    ['back\\slash stays', 'back\\slash stays'],
  ])('escapes %j as %j', (input, expected) => {
    expect(loggableText(input)).toBe(expected);
  });

  it('is idempotent: escaping twice changes nothing', () => {
    for (const input of ['a\nb', `${ESC}[2J`, 'x'.repeat(10_000), 'plain']) {
      const once = loggableText(input, 100);
      expect(loggableText(once, 100)).toBe(once);
      expect(loggableText(once)).toBe(once);
    }
  });

  it('cuts a long text to the limit and says how long the original was, in UTF-8 bytes', () => {
    const cut = loggableText('x'.repeat(524_288), NAME_TEXT_LIMIT);
    expect(cut).toHaveLength(NAME_TEXT_LIMIT);
    expect(cut).toMatch(/^x+…\[524288 bytes\]$/);
    expect(loggableText('ü'.repeat(300), 32)).toMatch(/^ü+…\[600 bytes\]$/);
    // A surrogate pair is never split.
    const emoji = loggableText('🙂'.repeat(300), 33);
    expect(emoji.length).toBeLessThanOrEqual(33);
    expect(emoji).toMatch(/^(🙂)+…\[1200 bytes\]$/u);
    // Every valid host name (≤ 253 bytes) fits whole.
    const longest = `${'b'.repeat(62)}.`.repeat(4) + 'c';
    expect(loggableText(longest, NAME_TEXT_LIMIT)).toBe(longest);
  });

  it('counts escapes toward the limit: a name of control characters cannot grow past it', () => {
    const text = loggableText('\u0001'.repeat(10_000), NAME_TEXT_LIMIT);
    expect(text.length).toBeLessThanOrEqual(NAME_TEXT_LIMIT);
    expect(text).toMatch(/…\[10000 bytes\]$/);
  });
});

describe('the logger escapes and bounds every record, for every sink', () => {
  const hostile = `db\n${new Date(0).toISOString()}  INFO cluvio_agent::agent: forged ${ESC}[2K${'y'.repeat(600_000)}`;

  function record(): LogRecord {
    const hub = new LogHub();
    const records: LogRecord[] = [];
    hub.subscribe((r) => records.push(r));
    hub
      .logger('cluvio_agent::stream')
      .warn(`failed to connect to ${hostile}:5432: i/o error`, { address: hostile, n: 1 });
    const [only] = records;
    if (only === undefined) throw new Error('no record');
    return only;
  }

  it('the record itself: message and string fields escaped and at most LOG_TEXT_LIMIT long', () => {
    const r = record();
    for (const text of [r.message, r.fields.address]) {
      expect(typeof text).toBe('string');
      expect((text as string).length).toBeLessThanOrEqual(LOG_TEXT_LIMIT);
      for (const raw of ['\n', '\r', ESC]) expect(text).not.toContain(raw);
      expect(text).toContain('db\\n1970-01-01T00:00:00.000Z');
    }
    expect(r.fields.address).toMatch(/…\[\d+ bytes\]$/);
    expect(r.fields.n).toBe(1);
  });

  it('text lines and JSON lines: one line each, bounded', () => {
    const r = record();
    for (const line of [formatLogText(r, { ansi: false }), formatLogText(r, { ansi: true }), formatLogJson(r)]) {
      expect(line.split('\n')).toHaveLength(1);
      expect(line.length).toBeLessThan(3 * LOG_TEXT_LIMIT);
    }
    // With ANSI on, the only escapes are the formatter's own colours.
    const coloured = formatLogText(r, { ansi: true });
    expect(coloured.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '')).not.toContain(ESC);
    const json = JSON.parse(formatLogJson(r)) as { fields: Record<string, unknown> };
    expect(json.fields.address).toBe(r.fields.address);
  });
});

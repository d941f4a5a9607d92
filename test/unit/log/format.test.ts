import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/shared/log-record.js';
import { formatLogJson } from '../../../src/tunnel/log/json-format.js';
import { formatLogTimestamp } from '../../../src/tunnel/log/log-timestamp.js';
import { createStreamSink, shouldUseAnsi } from '../../../src/tunnel/log/stream-sink.js';
import { formatLogText } from '../../../src/tunnel/log/text-format.js';

const TIME = Date.UTC(2026, 10, 25, 16, 34, 29, 949);

const record = (overrides: Partial<LogRecord>): LogRecord => ({
  seq: 1,
  time: TIME,
  level: 'info',
  module: 'cluvio_agent',
  message: 'configuration',
  fields: {},
  ...overrides,
});

describe('timestamps', () => {
  it('are RFC 3339 UTC with microseconds, as tracing-subscriber prints them', () => {
    expect(formatLogTimestamp(TIME)).toBe('2026-11-25T16:34:29.949000Z');
    expect(formatLogTimestamp(TIME + 0.479)).toBe('2026-11-25T16:34:29.949479Z');
  });
});

describe('text lines (reference layout)', () => {
  it('prints timestamp, padded level, target, message and fields without ANSI', () => {
    expect(formatLogText(record({ fields: { path: 'c.toml' } }), { ansi: false })).toBe(
      '2026-11-25T16:34:29.949000Z  INFO cluvio_agent: configuration path="c.toml"',
    );
    expect(
      formatLogText(
        record({
          level: 'warn',
          module: 'cluvio_agent::agent',
          message: 'failed to connect to localhost:1',
          fields: { err: 'i/o error: could not connect' },
        }),
        { ansi: false },
      ),
    ).toBe(
      '2026-11-25T16:34:29.949000Z  WARN cluvio_agent::agent: failed to connect to localhost:1 err=i/o error: could not connect',
    );
    expect(
      formatLogText(
        record({
          level: 'debug',
          module: 'cluvio_agent::stream',
          message: 'connected',
          fields: { id: 4, halfClose: true, none: null },
        }),
        { ansi: false },
      ),
    ).toBe('2026-11-25T16:34:29.949000Z DEBUG cluvio_agent::stream: connected id=4 halfClose=true none=null');
  });

  it('uses the reference’s ANSI styles when colours are on', () => {
    expect(formatLogText(record({ fields: { path: 'c.toml' } }), { ansi: true })).toBe(
      '\u001b[2m2026-11-25T16:34:29.949000Z\u001b[0m \u001b[32m INFO\u001b[0m \u001b[2mcluvio_agent\u001b[0m\u001b[2m:\u001b[0m configuration \u001b[3mpath\u001b[0m\u001b[2m=\u001b[0m"c.toml"',
    );
    const levels = (['error', 'warn', 'debug', 'trace'] as const).map(
      (level) => formatLogText(record({ level }), { ansi: true }).split('\u001b[0m ')[1],
    );
    expect(levels).toEqual(['\u001b[31mERROR', '\u001b[33m WARN', '\u001b[34mDEBUG', '\u001b[35mTRACE']);
  });

  it('quotes Debug-recorded strings the way Rust does', () => {
    expect(formatLogText(record({ fields: { path: 'C:\\dir\\"x".toml' } }), { ansi: false })).toMatch(
      / path="C:\\\\dir\\\\\\"x\\".toml"$/,
    );
  });
});

describe('JSON lines (reference --json shape)', () => {
  it('prints timestamp, upper-case level, fields with the message first, and target', () => {
    expect(formatLogJson(record({ fields: { path: 'ok.toml' } }))).toBe(
      '{"timestamp":"2026-11-25T16:34:29.949000Z","level":"INFO","fields":{"message":"configuration","path":"\\"ok.toml\\""},"target":"cluvio_agent"}',
    );
    expect(
      formatLogJson(
        record({
          level: 'warn',
          module: 'cluvio_agent::agent',
          message: 'failed',
          fields: { err: 'refused', attempt: 3, online: false },
        }),
      ),
    ).toBe(
      '{"timestamp":"2026-11-25T16:34:29.949000Z","level":"WARN","fields":{"message":"failed","err":"refused","attempt":3,"online":false},"target":"cluvio_agent::agent"}',
    );
  });

  it('never lets a field named message replace the message', () => {
    const parsed = JSON.parse(formatLogJson(record({ fields: { message: 'other' } }))) as {
      fields: Record<string, unknown>;
    };
    expect(parsed.fields).toEqual({ message: 'configuration' });
  });
});

describe('stream sink', () => {
  it('writes one line per record in the chosen format', () => {
    const lines: string[] = [];
    const stream = { write: (text: string) => lines.push(text) };
    createStreamSink(stream, { json: false, ansi: false })(record({}));
    createStreamSink(stream, { json: true, ansi: false })(record({}));
    expect(lines).toEqual([
      '2026-11-25T16:34:29.949000Z  INFO cluvio_agent: configuration\n',
      `${formatLogJson(record({}))}\n`,
    ]);
  });

  it('uses colours only on a terminal without NO_COLOR', () => {
    expect(shouldUseAnsi({ write: () => true, isTTY: true }, {})).toBe(true);
    expect(shouldUseAnsi({ write: () => true, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseAnsi({ write: () => true, isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldUseAnsi({ write: () => true }, {})).toBe(false);
  });
});

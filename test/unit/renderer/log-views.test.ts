import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/shared/log-record.js';
import { humanFields, humanFieldsText } from '../../../src/renderer/log-fields.js';
import { isConnectionActivity, logViewMatches } from '../../../src/renderer/log-views.js';

let seq = 0;
const record = (
  level: LogRecord['level'],
  module: string,
  message: string,
  fields: LogRecord['fields'] = {},
): LogRecord => ({
  seq: ++seq,
  time: 0,
  level,
  module,
  message,
  fields,
});

describe('the Logs view: what "Connection activity" shows', () => {
  it('every record at info and above, and the engine’s debug records of connections and streams', () => {
    const shown = [
      record('info', 'cluvio_agent::agent', 'connected to server: gw:443'),
      record('warn', 'cluvio_agent::agent', 'control channel closed by server, reconnecting ...'),
      record('error', 'cluvio_agent::stream', 'address not allowed', { address: '10.0.0.1:5432' }),
      record('debug', 'cluvio_agent::agent', 'connecting to gw:443 ...'),
      record('debug', 'cluvio_agent::agent', 'connection to server lost'),
      record('debug', 'cluvio_agent::agent', 'new inbound stream'),
      record('debug', 'cluvio_agent::stream', 'connecting to internal address db:5432', { id: 'a1' }),
      record('debug', 'cluvio_agent::stream', 'connected to db:5432', { id: 'a1' }),
      record('debug', 'cluvio_agent::stream', 'data transfer finished', { id: 'a1' }),
      record('debug', 'cluvio_agent::stream', 'dropping data stream without reply', { stream: 2 }),
    ];
    const hidden = [
      record('debug', 'cluvio_agent::tls', 'failed to connect to 10.0.0.1:443 (gw): refused'),
      record('debug', 'cluvio_agent::agent', 'switched to something else entirely'),
      record('debug', 'cluvio_agent_desktop::host', 'connected to server: gw:443'),
      record('trace', 'cluvio_agent::agent', 'awaiting event ...'),
    ];
    for (const r of shown) expect(logViewMatches(r, 'activity', ''), r.message).toBe(true);
    for (const r of hidden) expect(logViewMatches(r, 'activity', ''), r.message).toBe(false);
    expect(hidden.filter(isConnectionActivity)).toEqual([]);
  });

  it('the level views are "this level and above", and the search looks into message, module and fields', () => {
    const debug = record('debug', 'cluvio_agent::stream', 'connected to db:5432', { id: 'abc123' });
    expect(logViewMatches(debug, 'info', '')).toBe(false);
    expect(logViewMatches(debug, 'debug', '')).toBe(true);
    expect(logViewMatches(debug, 'debug', 'ABC1')).toBe(true);
    expect(logViewMatches(debug, 'debug', 'nothing')).toBe(false);
    expect(logViewMatches(record('error', 'm', 'x'), 'error', '')).toBe(true);
    expect(logViewMatches(record('warn', 'm', 'x'), 'error', '')).toBe(false);
  });
});

describe('log fields in words', () => {
  it('the reference’s debug form of a finished transfer reads as sizes and a duration', () => {
    const finished = record('debug', 'cluvio_agent::stream', 'data transfer finished', {
      id: '0f3a9c',
      to: '127.0.0.1:5432',
      recv: 'Some(Ok(2056))',
      sent: 'None',
      time: 0.0123,
    });
    expect(humanFieldsText(finished)).toBe(
      'id 0f3a9c · database 127.0.0.1:5432 · to the database 2.0 KiB · from the database not counted (Cluvio closed first) · took 12 ms',
    );
    const other = record('debug', 'cluvio_agent::stream', 'data transfer finished', {
      recv: 'None',
      sent: 'Some(Ok(5))',
      time: 12.5,
    });
    expect(humanFieldsText(other)).toBe(
      'to the database not counted (the database closed first) · from the database 5 B · took 12.5 s',
    );
  });

  it('Rust debug strings lose their quotes and escapes; unknown fields stay as they are', () => {
    expect(humanFields(record('error', 'm', 'server error', { msg: '"said \\"no\\"\\n"' }))).toEqual([
      { key: 'msg', label: 'message', value: 'said "no"\n' },
    ]);
    expect(humanFields(record('info', 'm', 'x', { custom_field: 42, flag: true, none: null }))).toEqual([
      { key: 'custom_field', label: 'custom_field', value: '42' },
      { key: 'flag', label: 'flag', value: 'true' },
      { key: 'none', label: 'none', value: 'null' },
    ]);
    // A value that only looks like the debug form is left alone.
    expect(humanFieldsText(record('debug', 'm', 'x', { recv: 'Some(Err(reset))' }))).toBe(
      'to the database Some(Err(reset))',
    );
  });
});

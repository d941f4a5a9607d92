import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { LogFieldValue, LogRecord } from '../../../src/shared/log-record.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { parseAgentConfig } from '../../../src/tunnel/config/agent-config.js';
import { formatLogJson } from '../../../src/tunnel/log/json-format.js';
import { LogHub } from '../../../src/tunnel/log/logger.js';
import { REDACTED_FIELD } from '../../../src/tunnel/log/redaction.js';
import { LogTargetFilter } from '../../../src/tunnel/log/target-filter.js';
import { formatLogText } from '../../../src/tunnel/log/text-format.js';
import { vectorNamed } from '../../support/vectors.js';

function collect(hub: LogHub, filter?: string): LogRecord[] {
  const records: LogRecord[] = [];
  hub.subscribe((record) => records.push(record), filter === undefined ? undefined : LogTargetFilter.parse(filter));
  return records;
}

describe('Logger', () => {
  it('emits records with module, message, fields, time and increasing seq', () => {
    const hub = new LogHub();
    const records = collect(hub);
    const before = Date.now();
    const log = hub.logger().child('agent');
    log.info('connected to server', { server: 'gw.example.com:443' });
    log.warn('no pong from server', { id: 7 });
    expect(records.map((r) => [r.level, r.module, r.message, r.fields])).toEqual([
      ['info', 'cluvio_agent::agent', 'connected to server', { server: 'gw.example.com:443' }],
      ['warn', 'cluvio_agent::agent', 'no pong from server', { id: 7 }],
    ]);
    expect(records[1]?.seq).toBeGreaterThan(records[0]?.seq ?? Infinity);
    expect(records[0]?.time).toBeGreaterThanOrEqual(before);
  });

  it('builds child modules reference-style and carries bound fields', () => {
    const hub = new LogHub();
    const records = collect(hub);
    const stream = hub.logger().child('stream', { connection: 2 }).withFields({ id: 4 });
    stream.debug('connecting to internal address db:5432', { halfClose: false });
    expect(records[0]?.module).toBe('cluvio_agent::stream');
    expect(records[0]?.fields).toEqual({ connection: 2, id: 4, halfClose: false });
  });

  it('gives each sink only what its own filter lets through', () => {
    const hub = new LogHub();
    const quiet = collect(hub, 'cluvio_agent=info');
    const chatty = collect(hub, 'cluvio_agent::stream=trace,warn');
    const log = hub.logger();
    log.child('stream').trace('bytes');
    log.child('agent').info('up and running');
    expect(quiet.map((r) => r.message)).toEqual(['up and running']);
    expect(chatty.map((r) => r.message)).toEqual(['bytes']);
  });

  it('does not build fields when no sink wants the level', () => {
    const hub = new LogHub();
    collect(hub, 'cluvio_agent=info');
    const log = hub.logger().child('stream');
    let built = 0;
    const fields = (): Record<string, LogFieldValue> => {
      built++;
      return { bytes: 1 };
    };
    log.debug('copied', fields);
    expect(built).toBe(0);
    expect(log.enabled('debug')).toBe(false);
    log.info('copied', fields);
    expect(built).toBe(1);
  });

  it('is silent and cheap with no subscribers, and stops delivering after unsubscribe', () => {
    const hub = new LogHub();
    const log = hub.logger();
    expect(log.enabled('error')).toBe(false);
    const records: LogRecord[] = [];
    const unsubscribe = hub.subscribe((record) => records.push(record));
    expect(log.enabled('trace')).toBe(true);
    log.error('one');
    unsubscribe();
    log.error('two');
    expect(records.map((r) => r.message)).toEqual(['one']);
    expect(log.enabled('error')).toBe(false);
  });

  it('keeps delivering to other sinks when one throws', () => {
    const hub = new LogHub();
    hub.subscribe(() => {
      throw new Error('EPIPE');
    });
    const records = collect(hub);
    hub.logger().error('still here');
    expect(records).toHaveLength(1);
  });
});

describe('redaction safety net', () => {
  const vector = vectorNamed('config_keypair', 'config');

  it('replaces fields whose name suggests a secret', () => {
    const hub = new LogHub();
    const records = collect(hub);
    hub.logger().info('oops', {
      secretKey: 'abc',
      'secret-key': 'abc',
      password: 'p',
      apiKey: 'k',
      token: 't',
      privateKey: 'x',
      agent: 'id',
      port: 443,
    });
    expect(records[0]?.fields).toEqual({
      secretKey: REDACTED_FIELD,
      'secret-key': REDACTED_FIELD,
      password: REDACTED_FIELD,
      apiKey: REDACTED_FIELD,
      token: REDACTED_FIELD,
      privateKey: REDACTED_FIELD,
      agent: 'id',
      port: 443,
    });
  });

  it('never lets a SecretKey or a whole config reach a record, a text line or a JSON line', () => {
    const hub = new LogHub();
    const records = collect(hub);
    const config = parseAgentConfig(vector.toml_example, { file: null, env: {} });
    const smuggled = { key: SecretKey.fromBase64url(vector.secret_key_b64url), config } as unknown as Record<
      string,
      LogFieldValue
    >;
    hub.logger().info('configuration', smuggled);
    const record = records[0];
    if (record === undefined) throw new Error('no record');
    const renderings = [
      inspect(record, { depth: null }),
      JSON.stringify(record),
      formatLogText(record, { ansi: false }),
      formatLogJson(record),
    ];
    for (const text of renderings) {
      expect(text).not.toContain(vector.secret_key_b64url);
      expect(text).not.toContain(vector.secret_key_hex);
    }
    expect(record.fields.key).toBe('SecretKey(********)');
  });
});

import { describe, expect, it } from 'vitest';
import { createLogRedactor, REDACTED } from '../../../src/host/log-redaction.js';

const SECRET = 'q0TxV1Yb5qHnGZ0mB3n9l8k0G6Y1Xy2cRk2m4Vt7N8s';

describe('createLogRedactor', () => {
  const redact = createLogRedactor(() => [SECRET]);

  it('replaces the known secret wherever it appears in the message or a field', () => {
    const out = redact({
      time: 1,
      level: 'error',
      module: 'cluvio_agent::config',
      message: `bad key ${SECRET}!`,
      fields: { detail: `x${SECRET}y`, port: 443 },
    });
    expect(out.message).toBe(`bad key ${REDACTED}!`);
    expect(out.fields).toEqual({ detail: `x${REDACTED}y`, port: 443 });
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  it('blanks fields whose names say they hold credentials, whatever their value', () => {
    const out = redact({
      time: 1,
      level: 'debug',
      module: 'm',
      message: 'hello',
      fields: { 'secret-key': 'abc', token: 'xyz', agentId: 'AAAA' },
    });
    expect(out.fields).toEqual({ 'secret-key': REDACTED, token: REDACTED, agentId: 'AAAA' });
  });

  it('uses the current secrets on every record, so a newly imported key is covered at once', () => {
    let secrets: string[] = [];
    const live = createLogRedactor(() => secrets);
    expect(live({ time: 1, level: 'info', module: 'm', message: SECRET, fields: {} }).message).toBe(SECRET);
    secrets = [SECRET];
    expect(live({ time: 1, level: 'info', module: 'm', message: SECRET, fields: {} }).message).toBe(REDACTED);
  });
});

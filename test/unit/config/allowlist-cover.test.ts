/**
 * `entriesBeyond`: which entries of a list another list does not cover — the check that keeps an
 * automatic roll-back from widening `allowed-addresses` (test/security/import-rollback-allowlist.test.ts).
 * Checked against the matcher itself: a covered entry's targets are all allowed by the covering list.
 */
import { describe, expect, it } from 'vitest';
import { Allowlist, entriesBeyond } from '../../../src/tunnel/config/index.js';

describe('entriesBeyond (what a roll-back would add to allowed-addresses)', () => {
  it.each([
    // [current, candidate, beyond]
    [['127.0.0.3/32'], ['127.0.0.0/8'], ['127.0.0.0/8']],
    [['127.0.0.0/8'], ['127.0.0.3/32', '127.1.2.3/16'], []],
    [['10.0.0.0/8'], ['10.0.0.0/7'], ['10.0.0.0/7']],
    [['0.0.0.0/0'], ['::ffff:10.0.0.1/128'], ['::ffff:10.0.0.1/128']],
    [['::/0'], ['::ffff:10.0.0.1/128', 'fd00::/8'], []],
    [['db.corp.example'], ['db.corp.example', 'DB.corp.example'], ['DB.corp.example']],
    [['*.corp.example'], ['db.corp.example', 'DB.CORP.example', 'corp.example'], []],
    [
      ['*.corp.example'],
      ['db.corp.example.', 'evilcorp.example', '*.example'],
      ['db.corp.example.', 'evilcorp.example', '*.example'],
    ],
    [['*.corp.example'], ['*.db.corp.example', '*.corp.example'], []],
    [['*.'], ['*.corp.example', 'x', '*.'], []],
    [['*.corp.example'], ['*.'], ['*.']],
    [['0.0.0.0/0', '::/0'], ['db.corp.example'], ['db.corp.example']],
    [[], ['127.0.0.1/32'], ['127.0.0.1/32']],
    [['127.0.0.1/32'], [], []],
  ] as const)('current %j, candidate %j → beyond %j', (current, candidate, beyond) => {
    expect(entriesBeyond(current, candidate)).toEqual(beyond);
  });

  it('every covered entry is really covered: its own targets pass the covering list', () => {
    const current = Allowlist.of(['127.0.0.0/8', '*.corp.example', 'db.other.example']);
    const candidate = ['127.9.9.9/32', '127.0.0.0/16', 'x.corp.example', '*.a.corp.example', 'db.other.example'];
    expect(entriesBeyond(current.texts(), candidate)).toEqual([]);
    for (const ip of ['127.9.9.9', '127.0.255.1']) expect(current.allowsIp(ip)).toBe(true);
    for (const name of ['x.corp.example', 'a.corp.example', 'b.a.corp.example', 'db.other.example'])
      expect(current.allowsName(name)).toBe(true);
  });
});

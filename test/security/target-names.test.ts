/**
 * Issue 13, the names table: every row of bench/fuzz/names/name-table.ts (NUL and other control
 * characters between an IP address and an allowed suffix, spaces, `%`, `/`, non-ASCII and
 * full-width look-alikes, IP addresses spelled as names, trailing dots, case, long names, and the
 * forms that work today) sent by a probe gateway, as `Server::Test` and as a data stream, to the
 * real reference agent 1.3.0 and to our CLI, each with the same allowlist, its own listeners on
 * 127.0.0.1, 127.0.0.2, ::1 (excluded) and 127.0.0.3 (allowed), and its own recording DNS.
 *
 * Asserted per row: both answers equal the table's columns; the differential rules hold
 * (DifferentialProbe.judge: same allowlist decisions, same answers wherever ours resolves the
 * name, CouldNotConnect from ours where it does not); our agent reaches an excluded listener only
 * through a name the hosts file or the DNS maps there; every DNS question ours asks is a checked
 * name folded to lower case, one the reference asks too. The reference's own bypasses — IP
 * addresses spelled as names, which its getaddrinfo connects to — are asserted as such: each
 * reached an excluded listener.
 *
 * The recording DNS needs root and mount namespaces (bench/fuzz/names/private-resolver.ts);
 * without them the rows run against the system's resolver and the DNS assertions are left out
 * (the test says so on stderr).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  DifferentialProbe,
  PROBE_DNS,
  describeInput,
  type Observation,
  type ProbeInput,
  type Via,
} from '../../bench/fuzz/names/differential.js';
import {
  EVERY_NAME_ALLOWLIST,
  EVERY_NAME_ROWS,
  type NameRow,
  SUFFIX_ALLOWLIST,
  SUFFIX_ROWS,
} from '../../bench/fuzz/names/name-table.js';
import { startProbeSubject } from '../../bench/fuzz/names/probe-subject.js';
import { nameTarget } from '../../bench/fuzz/names/raw-target.js';
import { parseIpv4, parseIpv6 } from '../../src/tunnel/codec/index.js';
import { LOG_TEXT_LIMIT } from '../../src/tunnel/log/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

function inputOf(row: NameRow, via: Via): ProbeInput {
  if (row.target.startsWith('name:'))
    return { via, target: { kind: 'name', name: Buffer.from(row.target.slice(5), 'utf8'), port: 'listeners' } };
  const ip = row.target.slice(3);
  const bytes = ip.includes(':') ? parseIpv6(ip) : parseIpv4(ip);
  if (bytes === null) throw new Error(`not an IP address: ${ip}`);
  return { via, target: { kind: 'addr', ip: bytes, port: 'listeners' } };
}

const excludedHits = (observation: Observation): number =>
  [...observation.excludedHits.values()].reduce((sum, n) => sum + n, 0);

describe.each([
  ['suffix patterns, exact names, the allowed listener', SUFFIX_ALLOWLIST, SUFFIX_ROWS],
  ['every name ("*."), the allowed listener', EVERY_NAME_ALLOWLIST, EVERY_NAME_ROWS],
] as const)('names table — %s', (_title, allowlist, rows) => {
  it(`${rows.length} rows × Test and data stream: answers as the table says, no excluded listener reached by ours`, async () => {
    const probe = await DifferentialProbe.start({ allowlist, dns: PROBE_DNS });
    cleanups.push(() => probe.close());
    const withDns = probe.resolverUnavailable === null;
    if (!withDns)
      process.stderr.write(`target-names: no recording DNS (${probe.resolverUnavailable}); DNS checks skipped\n`);

    const lines = [`allowed-addresses = ${JSON.stringify(allowlist)}`];
    const failures: string[] = [];
    let bypasses = 0;
    for (const row of rows) {
      const expected = {
        reference: withDns ? row.reference : (row.withoutDns ?? row.reference),
        ours: withDns ? row.ours : (row.withoutDns ?? row.ours),
      };
      for (const via of ['test', 'stream'] as const) {
        const input = inputOf(row, via);
        const { reference, ours, judgement } = await probe.runSequential(input);
        // The reference may lose a refusal on a data stream behind its own RST (PROTOCOL.md §2.6).
        const referenceMatches =
          reference.answer === expected.reference || (judgement.referenceReplyLost && expected.reference !== 'Ok');
        const mismatch = !referenceMatches || ours.answer !== expected.ours;
        const line = `${mismatch || judgement.problems.length > 0 ? '✗' : ' '} ${describeInput(input).slice(0, 90).padEnd(90)} reference ${reference.answer.padEnd(17)} ours ${ours.answer.padEnd(17)} ${row.why}`;
        lines.push(line);
        if (mismatch) failures.push(`${line}\n    expected reference ${expected.reference}, ours ${expected.ours}`);
        failures.push(...judgement.problems);
        // The reference's bypass rows: it really connected to an excluded listener.
        if (expected.reference === 'Ok' && expected.ours === 'CouldNotConnect') {
          bypasses += 1;
          if (excludedHits(reference) === 0)
            failures.push(`${line}\n    the reference did not reach an excluded listener`);
        }
      }
    }
    const report = lines.join('\n');
    expect(failures, `${failures.join('\n')}\n\n${report}`).toEqual([]);
    expect(bypasses).toBe(rows.filter((r) => r.reference === 'Ok' && r.ours === 'CouldNotConnect').length * 2);
    // What our agent reached on the excluded listeners: only what hosts and DNS map there.
    const legitimate = new Set(['name:localhost', 'name:LocalHost', ...(withDns ? ['name:loop.dns.example'] : [])]);
    const reachedByOurs = probe.ours.listeners.hits();
    const expectedHits = rows.filter((row) => legitimate.has(row.target)).length * 2;
    expect(reachedByOurs.get('127.0.0.1'), report).toBe(expectedHits);
    expect(reachedByOurs.get('127.0.0.2'), report).toBe(0);
    expect(reachedByOurs.get('::1'), report).toBe(0);
  }, 240_000);
});

describe('what reaches the resolver: the recording DNS', () => {
  it('ours asks for the checked name with A–Z folded, the reference for it as sent; refused names are never asked', async (context) => {
    const probe = await DifferentialProbe.start({ allowlist: SUFFIX_ALLOWLIST, dns: PROBE_DNS });
    cleanups.push(() => probe.close());
    if (probe.resolverUnavailable !== null) {
      context.skip(`no recording DNS here: ${probe.resolverUnavailable}`);
      return;
    }
    const ask = async (name: string): Promise<{ reference: string[]; ours: string[] }> => {
      const { reference, ours } = await probe.runSequential({
        via: 'test',
        target: { kind: 'name', name: Buffer.from(name, 'utf8'), port: 'listeners' },
      });
      return { reference: reference.questions.map((q) => q.name), ours: ours.questions.map((q) => q.name) };
    };
    expect(await ask('DB.Dns.EXAMPLE')).toEqual({
      reference: ['DB.Dns.EXAMPLE', 'DB.Dns.EXAMPLE'],
      ours: ['db.dns.example', 'db.dns.example'],
    });
    // Names that are not host names: ours asks nothing; glibc, given them by the reference, asks nothing either.
    for (const name of [
      'ＤＢ.dns.example',
      '127.0.0.1\u0000.corp.example',
      'd\u00adb.dns.example',
      'db .corp.example',
    ]) {
      expect(await ask(name), JSON.stringify(name)).toEqual({ reference: [], ours: [] });
    }
    // A 64-byte label: ours refuses it; the reference's getaddrinfo fails it (no question either).
    expect((await ask(`${'a'.repeat(64)}.corp.example`)).ours).toEqual([]);
  }, 120_000);
});

describe('names in our CLI’s log lines, text and JSON', () => {
  const FORGED = `2026-01-01T00:00:00.000000Z ERROR cluvio_agent::agent: forged`;
  const hostile = [
    `db\n${FORGED}\n.corp.example`,
    `db\r${FORGED}.corp.example`,
    'db\u001b[2J\u001b[31m.corp.example',
    `\u202e${'x'.repeat(100_000)}.corp.example`,
  ];

  it.each([
    ['text', false],
    ['JSON', true],
  ] as const)(
    '%s: one record per line, no control character, names bounded with their size',
    async (_format, json) => {
      const subject = await startProbeSubject('ours', {
        allowlist: SUFFIX_ALLOWLIST,
        logFilter: 'cluvio_agent=debug',
        json,
      });
      cleanups.push(() => subject.close());
      for (const name of hostile) {
        expect(await subject.gateway.test(nameTarget(name, 5432))).toBe('CouldNotConnect');
        expect(await subject.gateway.connect(nameTarget(name, 5432))).toBe('CouldNotConnect');
      }
      await subject.program.waitFor(/x+…\[100016 bytes\]/);
      const lines = subject.program.output().trimEnd().split('\n');
      for (const line of lines) {
        expect(line.length).toBeLessThan(3 * LOG_TEXT_LIMIT);
        expect(Array.from(line).filter((c) => (c < ' ' && c !== '\t') || c === '\u007f' || c === '\u202e')).toEqual([]);
        if (json) expect(() => JSON.parse(line) as unknown).not.toThrow();
        else expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z +(ERROR|WARN|INFO|DEBUG|TRACE) cluvio_agent/);
        expect(line.startsWith(FORGED)).toBe(false);
      }
      const output = lines.join('\n');
      expect(output).toContain(
        json ? `db\\\\n${FORGED}\\\\n.corp.example:5432` : `db\\n${FORGED}\\n.corp.example:5432`,
      );
      expect(output).toContain(
        json ? 'db\\\\u{1b}[2J\\\\u{1b}[31m.corp.example' : 'db\\u{1b}[2J\\u{1b}[31m.corp.example',
      );
      expect(output).toContain(json ? '\\\\u{202e}xxx' : '\\u{202e}xxx');
    },
    120_000,
  );
});

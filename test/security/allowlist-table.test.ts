/**
 * The allowlist (`allowed-addresses`, PROTOCOL.md §7.6) against every bypass attempt we know
 * of, as one table: IPv4-mapped, -compatible and NAT64 IPv6 addresses against IPv4 networks;
 * IPv4 addresses spelled zero-padded, octal, hexadecimal, decimal or short and sent as names;
 * trailing dots; `*.example.com` against `evilexample.com`; `localhost` when only
 * `127.0.0.1/32` is allowed; case; a zero-padded network (decimal in ipnet, not octal).
 *
 * The expected column is what the real reference agent 1.3.0 decides (reference notes §3.2–3.3;
 * every row is also run against it here). Each row is sent by our gateway as a `Server::Test`
 * — the address as an IP (`Address::Addr`) or as a name (`Address::Name`), exactly as written —
 * to the reference agent and to our CLI, each running with the row's allowlist, and checked
 * against our engine's matcher in process. All three must agree with the expected column:
 * "denied" is the agent's `AddressNotAllowed`; "allowed" is anything else (the agent then tried
 * to connect, to a closed port, so the answer is quick).
 */
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAddressAllowed } from '../../src/tunnel/agent/address-check.js';
import type { Address } from '../../src/tunnel/codec/index.js';
import { Allowlist } from '../../src/tunnel/config/allowlist.js';
import { type GatewayFixture, startGatewayFixture } from '../support/gateway-fixture.js';
import {
  type AgentImplementation,
  type AgentProcess,
  OUR_AGENT_CLI,
  REFERENCE_AGENT,
  spawnAgent,
} from '../support/reference-agent.js';

type Verdict = 'allowed' | 'denied';

interface Row {
  /** `ip:` sends `Address::Addr`, `name:` sends `Address::Name` with exactly this text. */
  readonly target: string;
  readonly expected: Verdict;
  readonly why: string;
}

interface Group {
  readonly allowlist: readonly string[];
  readonly rows: readonly Row[];
}

const allowed = (target: string, why: string): Row => ({ target, expected: 'allowed', why });
const denied = (target: string, why: string): Row => ({ target, expected: 'denied', why });

const TABLE: readonly Group[] = [
  {
    allowlist: ['127.0.0.0/8', '10.0.0.0/8'],
    rows: [
      allowed('ip:127.0.0.1', 'inside an IPv4 network'),
      allowed('ip:10.200.3.4', 'inside an IPv4 network'),
      denied('ip:11.0.0.1', 'outside every network'),
      denied('ip:::ffff:127.0.0.1', 'IPv4-mapped IPv6 is IPv6: never inside an IPv4 network'),
      denied('ip:::ffff:10.1.2.3', 'IPv4-mapped IPv6 is IPv6: never inside an IPv4 network'),
      denied('ip:::127.0.0.1', 'IPv4-compatible IPv6 is IPv6'),
      denied('ip:64:ff9b::7f00:1', 'NAT64 of 127.0.0.1 is IPv6'),
      denied('name:127.0.0.1', 'names never match IP networks, even IP literals'),
      denied('name:127.000.000.001', 'zero-padded IPv4 sent as a name'),
      denied('name:0177.0.0.1', 'octal IPv4 sent as a name'),
      denied('name:0x7f.0.0.1', 'hexadecimal IPv4 sent as a name'),
      denied('name:0x7f000001', 'hexadecimal IPv4 as one number'),
      denied('name:2130706433', 'decimal IPv4 (127.0.0.1) sent as a name'),
      denied('name:127.1', 'short-form IPv4 sent as a name'),
      denied('name:010.0.0.1', 'zero-padded 10.0.0.1 sent as a name'),
      denied('name:127.0.0.1.', 'IPv4 with a trailing dot sent as a name'),
      denied('name:[::ffff:127.0.0.1]', 'bracketed IPv6 sent as a name'),
      denied('name:localhost', 'a name that resolves into the network'),
    ],
  },
  {
    allowlist: ['127.0.0.1/32'],
    rows: [
      allowed('ip:127.0.0.1', 'the one address allowed'),
      denied('ip:127.0.0.2', 'the next address'),
      denied('name:localhost', 'localhost when only 127.0.0.1/32 is allowed'),
      denied('name:LOCALHOST', 'localhost in capitals'),
      denied('ip:::1', 'IPv6 loopback'),
      denied('ip:::ffff:127.0.0.1', 'the same host, IPv4-mapped'),
    ],
  },
  {
    allowlist: ['*.example.com', 'exact.test', '*.dot.test.', 'Mixed.Case.test'],
    rows: [
      allowed('name:example.com', 'a pattern matches its own name'),
      allowed('name:db.example.com', 'one label below'),
      allowed('name:a.b.example.com', 'two labels below'),
      allowed('name:db.EXAMPLE.com', 'patterns fold ASCII case'),
      denied('name:evilexample.com', 'the suffix must start on a label boundary'),
      denied('name:badexample.com', 'the suffix must start on a label boundary'),
      denied('name:example.com.evil.org', 'the pattern is a suffix, not a prefix'),
      denied('name:db.example.com.', 'a trailing dot is significant'),
      denied('name:example.co', 'shorter than the pattern'),
      denied('name:x.example.com:80', 'a port inside the name'),
      denied('ip:93.184.216.34', 'an IP address never matches a name or pattern'),
      allowed('name:exact.test', 'an exact name'),
      denied('name:exact.test.', 'an exact name with a trailing dot'),
      denied('name:EXACT.test', 'exact names compare byte for byte'),
      denied('name:sub.exact.test', 'an exact name does not cover subdomains'),
      allowed('name:a.dot.test.', 'a trailing-dot pattern matches trailing-dot names'),
      allowed('name:dot.test.', 'a trailing-dot pattern matches its own name'),
      denied('name:a.dot.test', 'a trailing-dot pattern needs the trailing dot'),
      allowed('name:Mixed.Case.test', 'an exact name as written'),
      denied('name:mixed.case.test', 'an exact name in other case'),
      denied('name:', 'the empty name'),
    ],
  },
  {
    allowlist: ['010.0.0.1/08'],
    rows: [
      allowed('ip:10.200.0.1', 'leading zeros in a network are decimal (ipnet): 10.0.0.0/8'),
      denied('ip:8.0.0.1', 'not octal: 010 is not 8'),
      denied('ip:11.0.0.1', 'outside 10.0.0.0/8'),
      denied('name:10.200.0.1', 'a name is never inside a network'),
    ],
  },
  {
    allowlist: ['::ffff:0:0/96'],
    rows: [
      allowed('ip:::ffff:127.0.0.1', 'an IPv4-mapped address inside an IPv6 network'),
      denied('ip:127.0.0.1', 'an IPv4 address is never inside an IPv6 network'),
    ],
  },
  {
    allowlist: ['localhost'],
    rows: [
      allowed('name:localhost', 'the exact name'),
      denied('name:LOCALHOST', 'exact names compare byte for byte'),
      denied('name:localhost.', 'the name with a trailing dot'),
      denied('name:sub.localhost', 'a subdomain'),
      denied('ip:127.0.0.1', 'the address it resolves to'),
    ],
  },
  {
    allowlist: ['*.'],
    rows: [
      allowed('name:anything.example', '"*." matches every name'),
      allowed('name:127.0.0.1', '"*." matches a name that is an IP literal, too'),
      denied('ip:127.0.0.1', '"*." never matches an IP address'),
    ],
  },
];

function toAddress(target: string, port: number): Address {
  if (target.startsWith('name:')) return { kind: 'name', name: target.slice('name:'.length), port };
  const ip = target.slice('ip:'.length);
  return ip.includes(':') ? { kind: 'addr', family: 6, ip, port } : { kind: 'addr', family: 4, ip, port };
}

let fixture: GatewayFixture;
let closedPort = 0;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  // Tests of allowed targets connect to a closed port (or time out in 1 s where a network is unreachable).
  fixture = await startGatewayFixture({ pingIntervalMs: 0, testTimeoutMs: 30_000 });
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  closedPort = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
});

afterAll(async () => {
  for (const agent of agents) await agent.stop();
  await fixture.close();
});

async function verdicts(implementation: AgentImplementation, group: Group): Promise<Verdict[]> {
  const keys = fixture.addAgent();
  const agent = await spawnAgent(
    implementation,
    fixture.agentConfigToml(keys, { allowedAddresses: group.allowlist, connectTimeout: '1s' }),
  );
  agents.push(agent);
  await fixture.gateway.waitForAgent(keys.agentId);
  const results = await Promise.all(
    group.rows.map((row) => fixture.gateway.test(keys.agentId, toAddress(row.target, closedPort))),
  );
  await agent.stop();
  return results.map((result) => (!result.ok && result.code === 'AddressNotAllowed' ? 'denied' : 'allowed'));
}

function table(group: Group, columns: Record<string, readonly Verdict[]>): string {
  const names = Object.keys(columns);
  const lines = [
    `allowed-addresses = ${JSON.stringify(group.allowlist)}`,
    `  ${'target'.padEnd(28)} ${'expected'.padEnd(9)} ${names.map((n) => n.padEnd(10)).join(' ')} why`,
  ];
  group.rows.forEach((row, i) => {
    const cells = names.map((n) => (columns[n]?.[i] ?? '?').padEnd(10));
    const mark = names.some((n) => columns[n]?.[i] !== row.expected) ? '✗' : ' ';
    lines.push(`${mark} ${row.target.padEnd(28)} ${row.expected.padEnd(9)} ${cells.join(' ')} ${row.why}`);
  });
  return lines.join('\n');
}

describe('allowlist bypass table: the reference agent, our CLI and our matcher agree with the expected column', () => {
  it.each(TABLE.map((group) => [group.allowlist.join(', '), group] as const))(
    'allowed-addresses = [%s]',
    async (_name, group) => {
      const [reference, ours] = await Promise.all([verdicts(REFERENCE_AGENT, group), verdicts(OUR_AGENT_CLI, group)]);
      const matcher = group.rows.map((row): Verdict =>
        isAddressAllowed(toAddress(row.target, closedPort), Allowlist.of(group.allowlist)) ? 'allowed' : 'denied',
      );
      const expected = group.rows.map((row) => row.expected);
      const report = table(group, { reference, 'our CLI': ours, matcher });
      expect(reference, report).toEqual(expected);
      expect(ours, report).toEqual(expected);
      expect(matcher, report).toEqual(expected);
    },
    90_000,
  );

  it('covers every kind of bypass the issue names', () => {
    const targets = TABLE.flatMap((g) => g.rows.map((r) => `${g.allowlist.join(',')} ${r.target} ${r.expected}`)).join(
      '\n',
    );
    for (const needle of [
      '::ffff:127.0.0.1 denied',
      '127.000.000.001 denied',
      '0177.0.0.1 denied',
      '2130706433 denied',
      '127.0.0.1. denied',
      'evilexample.com denied',
      '127.0.0.1/32 name:localhost denied',
    ]) {
      expect(targets).toContain(needle);
    }
  });
});

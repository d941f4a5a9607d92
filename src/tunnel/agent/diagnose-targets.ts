/**
 * The allowlist steps of `diagnose`: every `allowed-addresses` entry that names one concrete
 * machine (a DNS name, or a /32 or /128 network) is checked for TCP reachability from here, with
 * the code that serves data streams (target-connect.ts). An entry carries no port, so the ports
 * tried are the ones known for that host (explicit `--target host:port`, recent streams), else
 * the usual database ports; one open port is enough. Ranges and patterns are reported as not
 * testable. Explicit targets get the same check as a gateway `Test`: the allowlist, then a
 * connect within `connect-timeout`.
 */
import { notAllowedFix, targetConnectFix } from '../../shared/connection-fixes.js';
import { formatAddress, parseAddress, type Address } from '../codec/index.js';
import type { Allowlist, AllowlistEntry } from '../config/index.js';
import { AbortFanout } from './abort-fanout.js';
import { isAddressAllowed } from './address-check.js';
import type { Clock } from './clock.js';
import { describeError } from './connect-error.js';
import { errorCode, resolveName, type ProbeContext, type StepBody } from './diagnose-network.js';
import type { Resolver } from './lookup.js';
import { connectTarget } from './target-connect.js';

/** PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, Redshift, ClickHouse (native, HTTP, TLS), Exasol, Db2. */
export const DATABASE_PORTS: readonly number[] = [5432, 3306, 1433, 1521, 5439, 9000, 8123, 9440, 8563, 50000];

/** A probe of a guessed port waits at most this long (an explicit target gets connect-timeout). */
const GUESS_TIMEOUT_MS = 3_000;
const MAX_PARALLEL_PROBES = 16;

export interface TargetCheck {
  readonly title: string;
  readonly body: StepBody;
}

export interface TargetOptions {
  readonly allowlist: Allowlist;
  /** `host:port` to check explicitly (`--target`). */
  readonly explicit: readonly string[];
  /** `host:port` of recent streams: their ports are tried first for their hosts. */
  readonly known: readonly string[];
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly resolver: Resolver;
  readonly signal: AbortSignal;
}

/** The options as the probes see them: each probe takes its own child of the run's signal. */
interface ProbeOptions extends TargetOptions {
  readonly probes: AbortFanout;
}

type Concrete = {
  readonly entry: string;
  readonly host: string;
  readonly kind: 'addr' | 'name';
  readonly family: 4 | 6;
};

function concrete(entry: AllowlistEntry): Concrete | null {
  if (entry.kind === 'name') return { entry: entry.text, host: entry.text, kind: 'name', family: 4 };
  if (entry.kind !== 'network') return null;
  const { family, address, prefixLength } = entry.network;
  if (prefixLength !== (family === 4 ? 32 : 128)) return null;
  const parsed = parseAddress(family === 4 ? `${[...address].join('.')}:1` : `[${ipv6Text(address)}]:1`);
  return parsed.ok && parsed.address.kind === 'addr'
    ? { entry: entry.text, host: parsed.address.ip, kind: 'addr', family }
    : null;
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/** Runs `tasks` with at most `limit` in flight. */
async function bounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index];
      if (task !== undefined) results[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

type Probe =
  | { readonly ok: true; readonly resolved: string; readonly port: number }
  | { readonly ok: false; readonly port: number; readonly code: string; readonly message: string };

function probe(address: Address, timeoutMs: number, options: ProbeOptions): Promise<Probe> {
  const codes: string[] = [];
  return options.probes
    .run((signal) =>
      connectTarget(address, {
        timeoutMs,
        clock: options.clock,
        resolver: options.resolver,
        signal,
        onAddressFailed: (_, error) => codes.push(errorCode(error)),
      }),
    )
    .then(
      ({ socket, resolved }): Probe => {
        socket.destroy();
        return { ok: true, resolved, port: address.port };
      },
      (error: unknown): Probe => ({
        ok: false,
        port: address.port,
        code: codes.at(-1) ?? errorCode(error),
        message: describeError(error),
      }),
    );
}

function portsFor(host: string, options: TargetOptions): number[] {
  const ports = new Set<number>();
  for (const text of [...options.explicit, ...options.known]) {
    const parsed = parseAddress(text);
    if (!parsed.ok) continue;
    const address = parsed.address;
    if ((address.kind === 'name' ? address.name : address.ip) === host) ports.add(address.port);
  }
  return ports.size > 0 ? [...ports] : [...DATABASE_PORTS];
}

async function checkEntry(target: Concrete, options: ProbeOptions): Promise<TargetCheck> {
  const title = `Reach ${target.entry} (allowed-addresses)`;
  const context: ProbeContext = {
    resolver: options.resolver,
    clock: options.clock,
    connectTimeoutMs: options.connectTimeoutMs,
    signal: options.signal,
  };
  const details: string[] = [];
  let addresses: readonly string[] = [target.host];
  if (target.kind === 'name') {
    const resolved = await resolveName(target.host, context);
    if (resolved.body.status === 'fail') return { title, body: resolved.body };
    addresses = resolved.addresses.map((a) => a.address);
    details.push(resolved.body.summary);
  }
  const ports = portsFor(target.host, options);
  const timeoutMs = Math.min(options.connectTimeoutMs, GUESS_TIMEOUT_MS);
  const results = await bounded(
    ports.map(
      (port) => () =>
        probe(
          target.kind === 'name'
            ? { kind: 'name', name: target.host, port }
            : { kind: 'addr', family: target.family, ip: target.host, port },
          timeoutMs,
          options,
        ),
    ),
    MAX_PARALLEL_PROBES,
  );
  const open = results.filter((result): result is Extract<Probe, { ok: true }> => result.ok);
  const closed = results.filter((result): result is Extract<Probe, { ok: false }> => !result.ok);
  if (open.length > 0) {
    details.push(
      ...closed
        .filter((result) => result.code !== 'ECONNREFUSED')
        .map((result) => `port ${result.port}: ${result.message}`),
    );
    return {
      title,
      body: {
        status: 'pass',
        summary: `reachable: ${open.map((result) => result.resolved).join(', ')} accept${open.length === 1 ? 's' : ''} connections`,
        details,
        fix: null,
      },
    };
  }
  const portList = ports.join(', ');
  if (closed.some((result) => result.code === 'ECONNREFUSED')) {
    return {
      title,
      body: {
        status: 'warn',
        summary: `${addresses.join(', ')} answers, but refuses port${ports.length === 1 ? '' : 's'} ${portList}`,
        details,
        fix: `If the database listens on another port, test it: cluvio-agent diagnose --target ${target.kind === 'addr' && target.family === 6 ? `[${target.host}]` : target.host}:PORT (in the app: Settings → Test an address).`,
      },
    };
  }
  details.push(...closed.map((result) => `port ${result.port}: ${result.message}`));
  return {
    title,
    body: {
      status: 'fail',
      summary: `no answer from ${addresses.join(', ')} on port${ports.length === 1 ? '' : 's'} ${portList}`,
      details,
      fix: 'A firewall between this machine and the database drops the connections, or the address is wrong: allow TCP from this machine to the database port.',
    },
  };
}

async function checkExplicit(text: string, options: ProbeOptions): Promise<TargetCheck> {
  const title = `Reach ${text}`;
  const parsed = parseAddress(text);
  if (!parsed.ok)
    return {
      title,
      body: {
        status: 'fail',
        summary: parsed.error,
        details: [],
        fix: 'Give the target as host:port, a.b.c.d:port or [v6]:port.',
      },
    };
  const address = parsed.address;
  if (!isAddressAllowed(address, options.allowlist)) {
    return {
      title,
      body: {
        status: 'fail',
        summary: `${formatAddress(address)} is not in allowed-addresses: the agent would refuse it (AddressNotAllowed)`,
        details: [],
        fix: notAllowedFix(address.kind === 'addr' ? `${address.ip}/${address.family === 4 ? 32 : 128}` : address.name),
      },
    };
  }
  const result = await probe(address, options.connectTimeoutMs, options);
  if (result.ok)
    return {
      title,
      body: { status: 'pass', summary: `allowed, and ${result.resolved} accepts connections`, details: [], fix: null },
    };
  return {
    title,
    body: {
      status: 'fail',
      summary: `allowed, but no connection: ${result.message}`,
      details: [],
      fix: targetConnectFix(result.code),
    },
  };
}

/** One check per concrete entry and per explicit target, plus one line for the untestable entries. */
export async function checkTargets(targetOptions: TargetOptions): Promise<TargetCheck[]> {
  // Every entry's probes run at once (16 per entry): one listener on the run's signal for all of them.
  const options: ProbeOptions = { ...targetOptions, probes: new AbortFanout(targetOptions.signal) };
  const concreteEntries: Concrete[] = [];
  const ranges: string[] = [];
  for (const entry of options.allowlist.entries) {
    const found = concrete(entry);
    if (found === null) ranges.push(entry.text);
    else concreteEntries.push(found);
  }
  const checks = await Promise.all([
    ...concreteEntries.map((entry) => checkEntry(entry, options)),
    ...options.explicit.map((text) => checkExplicit(text, options)),
  ]);
  if (ranges.length > 0) {
    checks.push({
      title: 'Allowed ranges and patterns',
      body: {
        status: 'skip',
        summary: `not one machine each, nothing to connect to: ${ranges.join(', ')}`,
        details: [],
        fix:
          concreteEntries.length === 0 && options.explicit.length === 0
            ? 'To check a database, give its address: cluvio-agent diagnose --target db.internal:5432'
            : null,
      },
    });
  }
  return checks;
}

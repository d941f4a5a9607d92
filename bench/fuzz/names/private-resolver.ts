/**
 * A resolver of our own for an agent process: the agent runs in a private mount namespace
 * (`unshare -m`) in which /etc/resolv.conf names a RecordingDns and /etc/hosts and
 * /etc/nsswitch.conf are ours (`hosts: files dns`, `localhost` only). The agent's getaddrinfo is
 * the system's, unchanged; only what it reads is ours, so every DNS question it asks is recorded
 * and answered at once, and nothing leaves the machine. The rest of the system sees nothing of it.
 *
 * Needs root (mount namespaces, port 53) on Linux; `privateResolverSupport()` says whether this
 * machine has it and why not.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type DnsAnswers, type RecordingDns, startRecordingDns } from './recording-dns.js';

const run = promisify(execFile);

/** What /etc/hosts holds inside: the gateway's name only (the probe gateway listens on 127.0.0.1). */
export const PRIVATE_HOSTS: Readonly<Record<string, string>> = { localhost: '127.0.0.1' };

const MOUNT_AND_EXEC =
  'mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/hosts && mount --bind "$3" /etc/nsswitch.conf && shift 3 && exec "$@"';

export interface PrivateResolver {
  readonly dns: RecordingDns;
  /** `command` run inside the namespace: prepend to an agent's command line. */
  wrap(command: readonly string[]): string[];
  close(): Promise<void>;
}

export type Support = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let support: Promise<Support> | null = null;

/** Whether a private resolver can be set up here (checked once per process). */
export function privateResolverSupport(): Promise<Support> {
  support ??= (async (): Promise<Support> => {
    if (process.platform !== 'linux') return { ok: false, reason: 'private resolvers need Linux mount namespaces' };
    if (process.getuid?.() !== 0) return { ok: false, reason: 'private resolvers need root (unshare -m, port 53)' };
    const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-resolver-check-'));
    try {
      const probe = path.join(dir, 'hosts');
      await writeFile(probe, '# private resolver check\n');
      const { stdout } = await run('unshare', [
        '-m',
        '--',
        'sh',
        '-c',
        'mount --bind "$0" /etc/hosts && cat /etc/hosts',
        probe,
      ]);
      return stdout.includes('private resolver check')
        ? { ok: true }
        : { ok: false, reason: 'unshare -m ran, but the bind mount did not show' };
    } catch (error) {
      return {
        ok: false,
        reason: `unshare -m with a bind mount failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return support;
}

/** Starts a RecordingDns on a free 127.0.0.x:53 and writes the files the namespace mounts. */
export async function startPrivateResolver(table: Readonly<Record<string, DnsAnswers>> = {}): Promise<PrivateResolver> {
  const dns = await startOnFreeAddress(table);
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-resolver-'));
  const resolv = path.join(dir, 'resolv.conf');
  const hosts = path.join(dir, 'hosts');
  const nsswitch = path.join(dir, 'nsswitch.conf');
  await writeFile(resolv, `nameserver ${dns.address}\noptions attempts:1 timeout:2\n`);
  await writeFile(
    hosts,
    Object.entries(PRIVATE_HOSTS)
      .map(([name, ip]) => `${ip} ${name}\n`)
      .join(''),
  );
  await writeFile(nsswitch, 'hosts: files dns\n');
  return {
    dns,
    wrap: (command) => [
      'unshare',
      '-m',
      '--',
      'sh',
      '-c',
      MOUNT_AND_EXEC,
      'private-resolver',
      resolv,
      hosts,
      nsswitch,
      ...command,
    ],
    async close() {
      await dns.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startOnFreeAddress(table: Readonly<Record<string, DnsAnswers>>): Promise<RecordingDns> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const address = `127.0.${100 + Math.floor(Math.random() * 150)}.${2 + Math.floor(Math.random() * 250)}`;
    try {
      return await startRecordingDns(address, table);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`no free 127.0.x.y:53 for the recording DNS: ${String(lastError)}`);
}

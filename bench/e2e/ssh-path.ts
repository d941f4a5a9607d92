/**
 * The `ssh -N -L` path: a private sshd on a free loopback port (a generated config, a throwaway
 * host key and user key in a temp dir, `sshd -D` so it stays a child of ours) and one ssh client
 * forwarding a local port to the target server and another to PostgreSQL — what a user would
 * run instead of the tunnel. Both processes are stopped and the directory removed afterwards.
 * The client uses OpenSSH's default cipher unless `cipher` is given.
 *
 * Without sshd it returns the reason (and how to install it) instead of a path.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import type { BenchPath } from './bench-path.js';
import { PATH_LABELS } from './bench-path.js';
import { type Program, spawnProgram } from './children.js';

export const DEFAULT_SSHD = '/usr/sbin/sshd';

export const SSHD_MISSING_HINT =
  "install OpenSSH's server to include it: `sudo apt-get install -y openssh-server` (Debian/Ubuntu), `sudo dnf install openssh-server` (Fedora)";

export type SshPathResult = { readonly path: BenchPath } | { readonly skipped: string };

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `port` accepts a connection; rejects after `timeoutMs` or when `program` exits. */
async function waitForPort(port: number, program: Program, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (program.child.exitCode !== null)
      throw new Error(`${path.basename(program.child.spawnfile)} exited: ${program.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms: ${program.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cluvio-bench', '-f', file], { stdio: 'ignore' });
}

export async function startSshPath(
  targetPort: number,
  postgresPort: number,
  options: { readonly sshd?: string; readonly cipher?: string } = {},
): Promise<SshPathResult> {
  const sshd = options.sshd ?? DEFAULT_SSHD;
  if (!executable(sshd)) return { skipped: `ssh -L path skipped: sshd not found at ${sshd}; ${SSHD_MISSING_HINT}` };
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-bench-ssh-'));
  const processes: Program[] = [];
  const cleanup = async (): Promise<void> => {
    for (const program of processes.reverse()) await program.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    keygen(path.join(dir, 'host_key'));
    keygen(path.join(dir, 'user_key'));
    await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'user_key.pub')), { mode: 0o600 });
    const port = await freePort();
    const hostKey = (await readFile(path.join(dir, 'host_key.pub'), 'utf8')).split(' ').slice(0, 2).join(' ');
    await writeFile(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
    const user = userInfo().username;
    await writeFile(
      path.join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(dir, 'host_key')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        `AllowUsers ${user}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'AllowTcpForwarding local',
        'PermitTTY no',
        'X11Forwarding no',
        'MaxStartups 100',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    // sshd running as root needs its privilege-separation directory (the package's service creates it).
    if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
    const server = spawnProgram(sshd, ['-D', '-e', '-f', path.join(dir, 'sshd_config')]);
    processes.push(server);
    await waitForPort(port, server);

    const [localTarget, localPostgres] = [await freePort(), await freePort()];
    const common = [
      '-F',
      '/dev/null',
      '-i',
      path.join(dir, 'user_key'),
      '-p',
      String(port),
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`,
      '-o',
      'IdentitiesOnly=yes',
      ...(options.cipher === undefined ? [] : ['-c', options.cipher]),
    ];
    // Which cipher the connection negotiates (a one-off probe with -v; ssh logs to stderr).
    const probe = spawnSync('ssh', ['-v', ...common, `${user}@127.0.0.1`, 'exit'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    const cipher = options.cipher ?? /kex: server->client cipher: (\S+)/.exec(probe.stderr)?.[1] ?? 'unknown';
    const client = spawnProgram('ssh', [
      '-N',
      ...common,
      '-o',
      'ExitOnForwardFailure=yes',
      '-L',
      `127.0.0.1:${localTarget}:127.0.0.1:${targetPort}`,
      '-L',
      `127.0.0.1:${localPostgres}:127.0.0.1:${postgresPort}`,
      `${user}@127.0.0.1`,
    ]);
    processes.push(client);
    await waitForPort(localTarget, client);
    await waitForPort(localPostgres, client);
    const version = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim() || 'OpenSSH';
    return {
      path: {
        key: 'ssh',
        label: PATH_LABELS.ssh,
        targetPort: localTarget,
        postgresPort: localPostgres,
        agentSide: { pid: server.pid, tree: true },
        gatewaySide: { pid: client.pid, tree: false },
        maxStreams: Number.POSITIVE_INFINITY,
        notes: [`ssh -L: ${version}, cipher ${cipher}, a private sshd on a loopback port`],
        stop: cleanup,
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

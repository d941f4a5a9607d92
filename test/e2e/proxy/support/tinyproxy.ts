/**
 * A real HTTP proxy for the tests: Debian's `tinyproxy` (installed by .ci/run) started as a child
 * process with a generated configuration on 127.0.0.1 and a free port, in the foreground (`-d`)
 * so that its log (every CONNECT it handled) is read from its output. `basicAuth` makes it answer
 * 407 without the right credentials; `connectPorts` limits the ports CONNECT may reach (anything
 * else gets 403).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closedLoopbackPort } from '../../../support/loopback.js';

export const TINYPROXY = process.env.TINYPROXY_PATH ?? '/usr/bin/tinyproxy';

export interface TinyproxyOptions {
  readonly basicAuth?: { readonly user: string; readonly password: string };
  /** Ports CONNECT may reach (tinyproxy's ConnectPort); default: any. */
  readonly connectPorts?: readonly number[];
}

export interface Tinyproxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** tinyproxy's log so far. */
  log(): string;
  /** The `host:port` of every CONNECT request it logged (accepted or refused), in order. */
  connects(): string[];
  close(): Promise<void>;
}

async function accepting(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => {
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('tinyproxy did not start listening');
}

export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  if (!existsSync(TINYPROXY))
    throw new Error(`tinyproxy not found at ${TINYPROXY}: apt-get install tinyproxy (.ci/run does)`);
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-tinyproxy-'));
  const port = await closedLoopbackPort();
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    'MaxClients 100',
    'LogLevel Connect',
    'DisableViaHeader Yes',
  ];
  if (options.basicAuth !== undefined) lines.push(`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`);
  for (const allowed of options.connectPorts ?? []) lines.push(`ConnectPort ${allowed}`);
  const configFile = path.join(dir, 'tinyproxy.conf');
  await writeFile(configFile, `${lines.join('\n')}\n`);
  const child = spawn(TINYPROXY, ['-d', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  try {
    await accepting(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output}`, { cause: error });
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log: () => output,
    connects: () =>
      [...output.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((match) => match[1] ?? ''),
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

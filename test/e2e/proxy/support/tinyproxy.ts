/**
 * Debian's `tinyproxy`, an additional proxy for the tests where it is installed (never required:
 * the npm proxy, ./npm-proxy.ts, is the default): started as a child process with a generated
 * configuration on 127.0.0.1 and a free port, in the foreground (`-d`) so that its log (every
 * CONNECT it handled) is read from its output. `basicAuth` makes it answer 407 without
 * credentials and 401 with wrong ones; `connectPorts` limits the ports CONNECT may reach
 * (anything else gets 403).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closedLoopbackPort } from '../../../support/loopback.js';
import type { ProxyOptions, TestProxy } from './test-proxy.js';

export const TINYPROXY_PATH = process.env.TINYPROXY_PATH ?? '/usr/bin/tinyproxy';

/** Why tinyproxy cannot run here, with how to install it; undefined when it is installed. */
export function tinyproxyUnavailable(): string | undefined {
  return existsSync(TINYPROXY_PATH)
    ? undefined
    : `tinyproxy is not installed at ${TINYPROXY_PATH}; apt-get install tinyproxy runs these cases against it too`;
}

export interface Tinyproxy extends TestProxy {
  /** tinyproxy's log so far. */
  log(): string;
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

export async function startTinyproxy(options: ProxyOptions = {}): Promise<Tinyproxy> {
  const unavailable = tinyproxyUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
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
  const child = spawn(TINYPROXY_PATH, ['-d', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/**
 * `cluvio-agent` as a user runs it (`node dist/src/cli/agent.js …`), with everything it prints
 * collected, for the tests of `--dashboard`: the dashboard URL is read from stderr as a user
 * would copy it.
 *
 *     const agent = spawnCli(['--dashboard', '-c', file], { HOME: home });
 *     const url = await agent.dashboardUrl();
 *     …
 *     expect(await agent.stop()).toEqual({ code: 0, signal: null });
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = path.join(REPO, 'dist', 'src', 'cli', 'agent.js');

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout or stderr line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The URL from `dashboard: <url>` on stderr. */
  dashboardUrl(): Promise<string>;
  readonly exited: Promise<CliExit>;
  /** Sends `signal` (default SIGTERM) unless it has exited; SIGKILL if it does not exit within 15 s. */
  stop(signal?: NodeJS.Signals): Promise<CliExit>;
}

/** Runs the built CLI with `args` and only `env` (plus PATH and NO_COLOR) in its environment. */
export function spawnCli(args: readonly string[], env: Record<string, string>, cwd: string = REPO): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let done = false;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    notify();
  });
  const exited = new Promise<CliExit>((resolve) => {
    child.once('close', (code, signal) => {
      done = true;
      notify();
      resolve({ code, signal });
    });
  });

  const waitForLine = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      const check = (): void => {
        const line = `${out}\n${err}`.split('\n').find((candidate) => pattern.test(candidate));
        if (line !== undefined) {
          finish();
          resolve(line);
        } else if (done) {
          finish();
          reject(new Error(`cluvio-agent exited before printing ${String(pattern)}\nstdout:\n${out}\nstderr:\n${err}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `cluvio-agent did not print ${String(pattern)} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`,
          ),
        );
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForLine,
    async dashboardUrl() {
      const line = await waitForLine(/^dashboard: http:\/\//);
      return line.slice('dashboard: '.length).trim();
    },
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!done) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

/** Calls `name` on the dashboard's HTTP API as the page does; returns the reply's value, throws its error. */
export async function dashboardCall(url: string, name: string, arg?: unknown): Promise<unknown> {
  const response = await fetch(`${url}api/call/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ arg }),
  });
  if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status}: ${await response.text()}`);
  const reply = (await response.json()) as { ok: true; value: unknown } | { ok: false; error: string };
  if (!reply.ok) throw new Error(`${name}: ${reply.error}`);
  return reply.value;
}

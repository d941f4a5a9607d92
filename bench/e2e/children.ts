/**
 * The benchmark's child processes: forked Node helpers (target, PostgreSQL, TLS pipe, gateway,
 * delay line) that report `{ … }` once ready, and spawned programs (agents, sshd, ssh). Every
 * child is remembered and killed by its pid when the benchmark ends, also on an error or a
 * signal, so no run leaves a process behind.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';

const living = new Set<ChildProcess>();

function remember(child: ChildProcess): void {
  living.add(child);
  child.once('exit', () => living.delete(child));
}

/** Kills every child still running (SIGKILL: used on the way out). */
export function killAllChildren(): void {
  for (const child of living) child.kill('SIGKILL');
  living.clear();
}

export interface NodeChild<Ready> {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly ready: Ready;
  /** Output (stdout + stderr) so far, for error reports. */
  output(): string;
  /** Sends a message and resolves with the next message back. */
  request<Reply>(message: object): Promise<Reply>;
  stop(): Promise<void>;
}

function collect(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

/** Forks `modulePath` (a built .js file) with `execArgv`, sends `init` if given, waits for its first message. */
export async function forkNode<Ready>(
  modulePath: URL,
  init?: object,
  execArgv: string[] = [],
): Promise<NodeChild<Ready>> {
  const child = fork(modulePath, [], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  remember(child);
  const output = collect(child);
  if (init !== undefined) child.send(init);
  const ready = await firstMessage<Ready>(child, output, modulePath.pathname);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    child,
    pid: child.pid ?? 0,
    ready,
    output,
    request<Reply>(message: object): Promise<Reply> {
      const next = queue.then(() => {
        const reply = firstMessage<Reply>(child, output, modulePath.pathname);
        child.send(message);
        return reply;
      });
      queue = next.catch(() => undefined);
      return next;
    },
    stop: () => stopChild(child),
  };
}

function firstMessage<T>(child: ChildProcess, output: () => string, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      cleanup();
      const failure = (message as { error?: unknown } | null)?.error;
      if (typeof failure === 'string') reject(new Error(`${name}: ${failure}`));
      else resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`${name} exited (${code ?? signal ?? '?'}) before answering; output:\n${output()}`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export interface Program {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves once the output matches `pattern`; rejects if the program exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Spawns a program (an agent, sshd, ssh) with its output collected. */
export function spawnProgram(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Program {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  remember(child);
  const output = collect(child);
  child.on('error', () => undefined);
  return {
    child,
    pid: child.pid ?? 0,
    output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(output())) done(resolve);
        };
        const onExit = (): void => {
          done(() => {
            reject(new Error(`${command} exited before printing ${String(pattern)}; output:\n${output()}`));
          });
        };
        const timer = setTimeout(() => {
          done(() => {
            reject(
              new Error(`${command} did not print ${String(pattern)} within ${timeoutMs} ms; output:\n${output()}`),
            );
          });
        }, timeoutMs);
        const done = (then: () => void): void => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.stderr.off('data', check);
          child.off('exit', onExit);
          then();
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        child.on('exit', onExit);
        if (child.exitCode !== null) onExit();
        else check();
      });
    },
    stop: () => stopChild(child),
  };
}

/** SIGTERM, SIGKILL after 5 s; resolves once the process has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

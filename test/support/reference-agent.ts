/**
 * Runs an agent process with a given `cluvio-agent.toml` and collects what it prints: the real
 * reference agent (`../shared/reference/cluvio-agent`, Rust 1.3.0) or any other implementation
 * with the same command line (ours: `node dist/src/cli/agent.js`), so that the same scenarios
 * can run against both.
 *
 *     const agent = await spawnAgent(REFERENCE_AGENT, fixture.agentConfigToml(keys));
 *     await agent.waitForOutput(/up and running/);
 *     const { code } = await agent.exited;
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RELAY_NODE_FLAGS } from '../../src/tunnel/mux/index.js';
import { repoRoot } from './vectors.js';

export interface AgentImplementation {
  readonly name: string;
  /** Executable and leading arguments; `-c <config> -l <filter>` are appended. */
  readonly command: readonly string[];
}

export const REFERENCE_AGENT_PATH: string = path.resolve(repoRoot, '../shared/reference/cluvio-agent');

export const REFERENCE_AGENT: AgentImplementation = {
  name: 'reference cluvio-agent 1.3.0',
  command: [REFERENCE_AGENT_PATH],
};

/** Our CLI, as built by `npm run build`, with the node flags its shebang gives it. */
export const OUR_AGENT_CLI: AgentImplementation = {
  name: 'cluvio-agent (TypeScript)',
  command: [process.execPath, ...RELAY_NODE_FLAGS, path.join(repoRoot, 'dist/src/cli/agent.js')],
};

export interface AgentExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly configPath: string;
  /** Everything printed so far on stdout and stderr, ANSI colours removed. */
  output(): string;
  stderr(): string;
  /** Resolves with the first output line (after `from`, a character offset in `output()`) matching `pattern`. */
  waitForOutput(pattern: RegExp, options?: { readonly timeoutMs?: number; readonly from?: number }): Promise<string>;
  /** Number of output lines matching `pattern` so far. */
  count(pattern: RegExp): number;
  readonly exited: Promise<AgentExit>;
  /** SIGTERM (SIGKILL after a grace period) and removes the config directory. */
  stop(): Promise<AgentExit>;
}

export interface SpawnAgentOptions {
  /** `--log` filter (default `cluvio_agent=debug`). */
  readonly logFilter?: string;
  readonly env?: NodeJS.ProcessEnv;
}

// The reference colours its log lines even when they go to a pipe.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export async function spawnAgent(
  implementation: AgentImplementation,
  configToml: string,
  options: SpawnAgentOptions = {},
): Promise<AgentProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-agent-test-'));
  const configPath = path.join(dir, 'cluvio-agent.toml');
  await writeFile(configPath, configToml, { mode: 0o600 });
  const [executable, ...leading] = implementation.command;
  if (executable === undefined) throw new Error(`agent implementation ${implementation.name} has no command`);
  const child = spawn(executable, [...leading, '-c', configPath, '-l', options.logFilter ?? 'cluvio_agent=debug'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk.replace(ANSI, '');
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const clean = chunk.replace(ANSI, '');
    err += clean;
    out += clean;
    notify();
  });
  const exited = new Promise<AgentExit>((resolve) => {
    child.once('close', (code, signal) => {
      notify();
      resolve({ code, signal });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const process_: AgentProcess = {
    child,
    configPath,
    output: () => out,
    stderr: () => err,
    count: (pattern) => out.split('\n').filter((line) => pattern.test(line)).length,
    waitForOutput(pattern, waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 30_000;
      const from = waitOptions.from ?? 0;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = out
            .slice(from)
            .split('\n')
            .find((candidate) => pattern.test(candidate));
          if (line !== undefined) {
            finish();
            resolve(line);
          } else if (done) {
            finish();
            reject(new Error(`${implementation.name} exited before printing ${String(pattern)}; output:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `${implementation.name} did not print ${String(pattern)} within ${timeoutMs} ms; output:\n${out}`,
            ),
          );
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    exited,
    async stop() {
      if (!done) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
      return exited;
    },
  };
  return process_;
}

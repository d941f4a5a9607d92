/**
 * A real `cluvio-gateway` process for fault tests, as operators run it: `init` writes a gateway
 * config, a self-signed certificate, the agents file and an agent config; `serve` runs it
 * (started with the node flags its shebang gives it), its output collected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { adminFilePath, readAdminFile, type AdminEndpoint } from '../../../src/gateway/admin-client.js';
import { RELAY_NODE_FLAGS } from '../../../src/tunnel/mux/index.js';
import { repoRoot } from '../../support/vectors.js';

export const GATEWAY_CLI = path.join(repoRoot, 'dist/src/cli/gateway.js');

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `cluvio-gateway <args>` in `cwd`. */
export function runGatewayCli(args: readonly string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [...RELAY_NODE_FLAGS, GATEWAY_CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface GatewaySetup {
  readonly gatewayToml: string;
  /** The agent config `init` wrote, allowing 127.0.0.0/8. */
  readonly agentToml: string;
  readonly port: number;
}

/**
 * `cluvio-gateway init` in `dir` for agents on 127.0.0.1:`port`, plus `extra` appended to
 * gateway.toml (e.g. a `[[route]]`).
 */
export async function initGateway(dir: string, port: number, extra = ''): Promise<GatewaySetup> {
  const init = runGatewayCli(['init', '--host', 'localhost', '--dir', dir, '--port', String(port)], dir);
  init.stdout?.resume();
  init.stderr?.resume();
  const [code] = (await once(init, 'close')) as [number | null];
  if (code !== 0) throw new Error(`cluvio-gateway init exited with ${String(code)}`);
  const gatewayToml = path.join(dir, 'gateway.toml');
  const config = (await readFile(gatewayToml, 'utf8')).replace(/^listen = .*$/m, `listen = "127.0.0.1:${port}"`);
  await writeFile(gatewayToml, `${config}\n${extra}`);
  const agentToml = (await readFile(path.join(dir, 'cluvio-agent.toml'), 'utf8')).replace(
    /^(allowed-addresses.*)?$/m,
    'allowed-addresses = ["127.0.0.0/8"]\n',
  );
  return { gatewayToml, agentToml, port };
}

export interface ServedGateway {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  waitFor(pattern: RegExp): Promise<void>;
  /** The admin API's URL and token (from the file `serve` writes next to the config). */
  admin(): Promise<AdminEndpoint>;
}

/** A `cluvio-gateway serve` process whose output is collected; resolves once it listens. */
export async function serveGateway(configPath: string, cwd: string, logFilter?: string): Promise<ServedGateway> {
  const child = runGatewayCli(['serve', '-c', configPath, ...(logFilter === undefined ? [] : ['-l', logFilter])], cwd);
  let output = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    output += text;
    for (const listener of [...listeners]) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  const waitFor = (pattern: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(output)) {
          listeners.delete(check);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          reject(new Error(`the gateway exited before printing ${String(pattern)}:\n${output}`));
        }
      };
      listeners.add(check);
      child.once('close', check);
      check();
    });
  await waitFor(/gateway listening/);
  return { child, output: () => output, waitFor, admin: () => readAdminFile(adminFilePath(configPath)) };
}

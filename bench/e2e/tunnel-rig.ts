/**
 * The tunnel's processes: a gateway (gateway-process.ts) with a fresh CA and a `localhost`
 * certificate, and agents as users run them — our CLI (`node dist/src/cli/agent.js -c …`), the
 * Rust reference agent 1.3.0, or our engine with other mux settings (agent-variant-process.ts) —
 * each with its own config file pointing at the gateway (or at a delay line in front of it).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCertificateAuthority, issueServerCertificate } from '../../src/gateway/certificates.js';
import { generateKeyPair } from '../../src/tunnel/auth/index.js';
import type { MuxConfig } from '../../src/tunnel/mux/config.js';
import { RELAY_NODE_FLAGS } from '../../src/tunnel/mux/index.js';
import { type Program, forkNode, spawnProgram } from './children.js';
import type { GatewayInit, PortReply, RouteRequest } from './gateway-process.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const REFERENCE_AGENT_PATH = path.resolve(REPO_ROOT, '../shared/reference/cluvio-agent');
const OUR_AGENT_CLI = path.join(REPO_ROOT, 'dist/src/cli/agent.js');
const AGENT_VARIANT = fileURLToPath(new URL('./agent-variant-process.js', import.meta.url));

export interface AgentIdentity {
  readonly id: string;
  readonly name: string;
  readonly secretKey: string;
}

export function newAgentIdentity(name: string): AgentIdentity {
  const keys = generateKeyPair();
  return { id: keys.agentId, name, secretKey: keys.secretKey.exportBase64url() };
}

export interface GatewayRig {
  readonly port: number;
  readonly pid: number;
  readonly caPem: string;
  /** Output so far (stdout and stderr). */
  output(): string;
  /** Opens a route to `target` (host:port) through the agent, once it is online; resolves with the route's port. */
  route(agentId: string, target: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `baselineRoot`: run the gateway process of that checkout (its dist/), as it was built, instead
 * of this tree's — with the node flags it started with then (none).
 */
export async function startGatewayRig(
  agents: readonly AgentIdentity[],
  mux?: Partial<MuxConfig>,
  nodeFlags: readonly string[] = [],
  baselineRoot?: string,
): Promise<GatewayRig> {
  const ca = await generateCertificateAuthority('Benchmark CA');
  const leaf = await issueServerCertificate(ca, ['localhost']);
  const init: GatewayInit = {
    certPem: leaf.certPem,
    keyPem: leaf.keyPem,
    agents: agents.map(({ id, name }) => ({ id, name })),
    ...(mux === undefined ? {} : { mux }),
  };
  const child =
    baselineRoot === undefined
      ? await forkNode<PortReply>(new URL('./gateway-process.js', import.meta.url), init, [
          ...RELAY_NODE_FLAGS,
          ...nodeFlags,
        ])
      : await forkNode<PortReply>(pathToFileURL(path.join(baselineRoot, 'dist/bench/e2e/gateway-process.js')), init, [
          ...nodeFlags,
        ]);
  return {
    port: child.ready.port,
    pid: child.pid,
    caPem: ca.certPem,
    output: () => child.output(),
    route: async (agentId, target) =>
      (await child.request<PortReply>({ kind: 'route', agentId, target } satisfies RouteRequest)).port,
    stop: () => child.stop(),
  };
}

export type AgentKind =
  | { readonly kind: 'ours' }
  | { readonly kind: 'reference' }
  /** The CLI of another checkout, as it was built (`node <root>/dist/src/cli/agent.js`, its flags then: none). */
  | { readonly kind: 'baseline'; readonly root: string }
  /** Our engine with mux overrides (not what the CLI runs). */
  | { readonly kind: 'variant'; readonly mux: Partial<MuxConfig> };

export interface AgentLaunch {
  readonly identity: AgentIdentity;
  /** The port the agent connects to (the gateway's, or a delay line's). */
  readonly port: number;
  readonly caPem: string;
  /** Our agents only: write a V8 CPU profile into this directory when the agent exits. */
  readonly cpuProfileDir?: string;
  /** Our agents only: more flags for node (e.g. `--trace-gc`). */
  readonly nodeFlags?: readonly string[];
}

export function referenceAgentAvailable(): boolean {
  return existsSync(REFERENCE_AGENT_PATH);
}

function configToml(launch: AgentLaunch): string {
  return [
    `secret-key = ${JSON.stringify(launch.identity.secretKey)}`,
    '',
    '[server]',
    'host = "localhost"',
    `port = ${launch.port}`,
    `trust = '''\n${launch.caPem.trim()}\n'''`,
    '',
  ].join('\n');
}

export interface AgentProcess extends Program {
  readonly kind: AgentKind['kind'];
}

export async function startAgent(kind: AgentKind, launch: AgentLaunch): Promise<AgentProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-bench-agent-'));
  const config = path.join(dir, 'cluvio-agent.toml');
  await writeFile(config, configToml(launch), { mode: 0o600 });
  // Our agents start as the CLI's shebang starts them.
  const profile = [
    ...RELAY_NODE_FLAGS,
    ...(launch.nodeFlags ?? []),
    ...(launch.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${launch.cpuProfileDir}`]),
  ];
  const program =
    kind.kind === 'reference'
      ? spawnProgram(REFERENCE_AGENT_PATH, ['-c', config], { cwd: dir })
      : kind.kind === 'ours'
        ? spawnProgram(process.execPath, [...profile, OUR_AGENT_CLI, '-c', config], { cwd: dir })
        : kind.kind === 'baseline'
          ? spawnProgram(
              process.execPath,
              [...(launch.nodeFlags ?? []), path.join(kind.root, 'dist/src/cli/agent.js'), '-c', config],
              { cwd: dir },
            )
          : spawnProgram(process.execPath, [...profile, AGENT_VARIANT, config, JSON.stringify(kind.mux)], {
              cwd: dir,
            });
  return {
    ...program,
    kind: kind.kind,
    stop: async () => {
      await program.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RoutedTunnel {
  /** The benchmark target server's own port (the direct path). */
  readonly targetPort: number;
  /** The gateway route's port: client → gateway → our agent → the target. */
  readonly route: number;
  readonly agent: AgentProcess;
  stop(): Promise<void>;
}

export interface RoutedTunnelOptions {
  readonly gatewayMux?: Partial<MuxConfig>;
  /** Node flags of the gateway process (e.g. `--cpu-prof`). */
  readonly gatewayFlags?: readonly string[];
  /** How our agent runs (node flags, profile directory). */
  readonly agent?: Pick<AgentLaunch, 'cpuProfileDir' | 'nodeFlags'>;
}

/** The benchmark target server (target-process.ts), a gateway and our agent, with a route to the target. */
export async function startRoutedTunnel(name: string, options: RoutedTunnelOptions = {}): Promise<RoutedTunnel> {
  const target = await forkNode<{ port: number }>(new URL('./target-process.js', import.meta.url));
  const identity = newAgentIdentity(name);
  const gateway = await startGatewayRig([identity], options.gatewayMux, options.gatewayFlags);
  const agent = await startAgent(
    { kind: 'ours' },
    { identity, port: gateway.port, caPem: gateway.caPem, ...options.agent },
  );
  const stop = async (): Promise<void> => {
    await agent.stop();
    await gateway.stop();
    await target.stop();
  };
  try {
    const route = await gateway.route(identity.id, `127.0.0.1:${target.ready.port}`);
    return { targetPort: target.ready.port, route, agent, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

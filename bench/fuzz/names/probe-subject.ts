/**
 * One agent under probe, with everything it talks to its own: a ProbeGateway, target listeners
 * on 127.0.0.1/.2/.3 and ::1 (one port), and — where the machine allows — a private resolver
 * that records the agent's DNS questions. The agent is the real reference agent 1.3.0
 * (`../shared/reference/cluvio-agent`) or our CLI as built (`dist/src/cli/agent.js`), each a
 * process of its own with a config written for it.
 *
 *   const reference = await startProbeSubject('reference', { allowlist: ['*.corp.example'] });
 *   await reference.gateway.test(nameTarget('db.corp.example', reference.listeners.port));
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPair } from '../../../src/tunnel/auth/index.js';
import { type Program, spawnProgram } from '../../e2e/children.js';
import { referenceAgentPath, repoRoot } from '../repo-root.js';
import { type PrivateResolver, startPrivateResolver } from './private-resolver.js';
import { type ProbeGateway, startProbeGateway } from './probe-gateway.js';
import type { DnsAnswers } from './recording-dns.js';
import { startTargetListeners, type TargetListeners } from './target-listeners.js';

export type SubjectKind = 'reference' | 'ours';

export interface SubjectOptions {
  readonly allowlist: readonly string[];
  /** humantime, default `1s`. */
  readonly connectTimeout?: string;
  /** `--log` filter, default `cluvio_agent=warn`. */
  readonly logFilter?: string;
  /** `--json` log lines. */
  readonly json?: boolean;
  /** Run inside a private resolver answering from this table; null: the system's resolver. */
  readonly dns?: Readonly<Record<string, DnsAnswers>> | null;
}

export interface ProbeSubject {
  readonly kind: SubjectKind;
  readonly gateway: ProbeGateway;
  readonly listeners: TargetListeners;
  readonly resolver: PrivateResolver | null;
  readonly program: Program;
  close(): Promise<void>;
}

export const OUR_AGENT_CLI_PATH: string = path.join(repoRoot, 'dist/src/cli/agent.js');

export async function startProbeSubject(kind: SubjectKind, options: SubjectOptions): Promise<ProbeSubject> {
  const gateway = await startProbeGateway();
  const listeners = await startTargetListeners();
  const resolver = options.dns === undefined || options.dns === null ? null : await startPrivateResolver(options.dns);
  const dir = await mkdtemp(path.join(tmpdir(), `cluvio-probe-${kind}-`));
  const config = path.join(dir, 'cluvio-agent.toml');
  await writeFile(
    config,
    [
      `secret-key = ${JSON.stringify(generateKeyPair().secretKey.exportBase64url())}`,
      `allowed-addresses = [${options.allowlist.map((entry) => JSON.stringify(entry)).join(', ')}]`,
      `connect-timeout = ${JSON.stringify(options.connectTimeout ?? '1s')}`,
      '',
      '[server]',
      'host = "localhost"',
      `port = ${gateway.port}`,
      `trust = '''\n${gateway.caPem.trim()}\n'''`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const agent = kind === 'reference' ? [referenceAgentPath] : [process.execPath, OUR_AGENT_CLI_PATH];
  const command = [
    ...agent,
    '-c',
    config,
    '-l',
    options.logFilter ?? 'cluvio_agent=warn',
    ...(options.json === true ? ['-j'] : []),
  ];
  const [executable, ...args] = resolver === null ? command : resolver.wrap(command);
  const program = spawnProgram(executable ?? '', args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const close = async (): Promise<void> => {
    await program.stop();
    await gateway.close();
    await listeners.close();
    await resolver?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await gateway.accepted(30_000);
  } catch (error) {
    await close();
    throw new Error(
      `${kind} agent: ${error instanceof Error ? error.message : String(error)}; output:\n${program.output()}`,
      { cause: error },
    );
  }
  return { kind, gateway, listeners, resolver, program, close };
}

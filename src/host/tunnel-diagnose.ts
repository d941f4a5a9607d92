/**
 * The host's diagnostics over the tunnel: what the host knows (its configuration, the search
 * order, whether its engine is online, recent targets) turned into a `runDiagnose` run with the
 * same proxy as its engine. When the engine is online the key check reports that instead of
 * opening a second connection, so a Diagnose click never displaces the running agent.
 */
import path from 'node:path';
import type { DiagnoseReport } from '../shared/diagnose-report.js';
import { runDiagnose, type DiagnoseConfig, type ProxySettings } from '../tunnel/agent/index.js';
import { configSearchOrder, type AgentConfig, type ConfigSearchContext } from '../tunnel/config/index.js';
import type { HostDiagnose, HostDiagnoseInput } from './host-support.js';

export interface TunnelDiagnoseOptions {
  readonly search: ConfigSearchContext;
  readonly proxy: ProxySettings | null;
  /** A proxy setting that could not be used (e.g. a malformed HTTPS_PROXY). */
  readonly proxyProblem?: string | null;
  readonly version: string;
}

const NO_CONFIG = 'no configuration file yet: import the cluvio-agent.toml downloaded from Cluvio';

function configOf(input: HostDiagnoseInput<AgentConfig>, search: ConfigSearchContext): DiagnoseConfig {
  const loaded = input.loaded;
  if (loaded === null) {
    return input.problem === null
      ? { ok: false, problem: { file: null, key: null, message: NO_CONFIG }, searched: input.searched }
      : { ok: false, problem: input.problem, searched: [] };
  }
  const file = path.resolve(loaded.path);
  const explicit = input.explicitPath === null ? null : path.resolve(input.explicitPath);
  const rule =
    explicit === file
      ? 'command line (--config)'
      : (configSearchOrder(search).find((candidate) => path.resolve(candidate.path) === file)?.rule ??
        'imported in the app');
  return { ok: true, config: loaded.config, file: loaded.path, rule };
}

export function tunnelDiagnose(options: TunnelDiagnoseOptions): HostDiagnose<AgentConfig> {
  return (input): Promise<DiagnoseReport> =>
    runDiagnose({
      config: configOf(input, options.search),
      proxy: options.proxy,
      proxyProblem: options.proxyProblem ?? null,
      handshake: input.live === null ? { kind: 'probe' } : { kind: 'live', ...input.live },
      knownTargets: input.knownTargets,
      version: options.version,
    });
}

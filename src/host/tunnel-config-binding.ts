/** The host's `ConfigBinding` over the tunnel's real config module (reader, parser, search order). */
import type { PublicConfig } from '../shared/agent-state.js';
import {
  type AgentConfig,
  checkAgentConfig,
  ConfigError,
  configNotFound,
  configSearchOrder,
  type ConfigSearchContext,
  issueProblem,
  readConfigFile,
  toPublicConfig,
} from '../tunnel/config/index.js';
import type { ConfigBinding, ParsedConfig, ReadConfig } from './config-binding.js';

/** The user's own location in the search order: the one that is neither the executable's folder nor /etc. */
export function userConfigLocation(context: ConfigSearchContext): string | null {
  return (
    configSearchOrder(context).find((c) => c.rule !== 'directory of the executable' && c.rule !== '/etc')?.path ?? null
  );
}

export function tunnelConfigBinding(context: ConfigSearchContext): ConfigBinding<AgentConfig> {
  return {
    parse(text: string, file: string): ParsedConfig<AgentConfig> {
      // With the environment: the engine runs with CLUVIO_AGENT_SERVER_* applied, so validate that.
      const checked = checkAgentConfig(text, { file, env: context.env });
      if (checked.ok)
        return {
          ok: true,
          config: checked.config,
          warnings: checked.config.warnings.map((w) => issueProblem(file, w)),
        };
      return {
        ok: false,
        problems: checked.issues.map((issue) => issueProblem(file, issue)),
        warnings: checked.warnings.map((w) => issueProblem(file, w)),
      };
    },
    async read(file: string): Promise<ReadConfig<AgentConfig>> {
      try {
        return { ok: true, config: await readConfigFile(file, context.env) };
      } catch (error) {
        if (error instanceof ConfigError) return { ok: false, failure: error };
        throw error;
      }
    },
    notFound: (explicitPath, searched) =>
      configNotFound(
        explicitPath ?? undefined,
        configSearchOrder(context).filter((candidate) => searched.includes(candidate.path)),
      ),
    warnings: (config: AgentConfig) => config.warnings.map((w) => issueProblem(config.path, w)),
    toPublic: (config: AgentConfig, path: string): PublicConfig => ({ ...toPublicConfig(config), path }),
    secrets: (config: AgentConfig) => [config.secretKey.exportBase64url()],
    searchPaths: () => configSearchOrder(context).map((candidate) => candidate.path),
    searchRule: (file) => configSearchOrder(context).find((candidate) => candidate.path === file)?.rule ?? null,
    userConfigPath() {
      const location = userConfigLocation(context);
      if (location === null) throw new Error('no user configuration folder: set HOME (or APPDATA on Windows)');
      return location;
    },
  };
}

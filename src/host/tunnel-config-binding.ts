/** The host's `ConfigBinding` over the tunnel's real config module (reader, parser, search order). */
import type { PublicConfig } from '../shared/agent-state.js';
import {
  type AgentConfig,
  ConfigError,
  configNotFound,
  configSearchOrder,
  type ConfigSearchContext,
  parseAgentConfig,
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
      try {
        // With the environment: the engine runs with CLUVIO_AGENT_SERVER_* applied, so validate that.
        return { ok: true, config: parseAgentConfig(text, { file, env: context.env }) };
      } catch (error) {
        if (error instanceof ConfigError) return { ok: false, problems: [error.problem] };
        throw error;
      }
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

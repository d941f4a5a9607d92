/**
 * An `AgentHost` wired to the tunnel: the real config module and the engine factory. The Electron
 * main process and `cluvio-agent --dashboard` both construct the host through this.
 */
import path from 'node:path';
import type { ProxySettings } from '../tunnel/agent/index.js';
import type { AgentConfig, ConfigSearchContext } from '../tunnel/config/index.js';
import { AgentHost, type AgentHostOptions } from './agent-host.js';
import { bundleSecrets } from './diagnose-bundle.js';
import type { EngineFactory } from './host-lifecycle.js';
import type { HostSupportBundleOptions } from './host-support.js';
import { tunnelConfigBinding, userConfigLocation } from './tunnel-config-binding.js';
import { tunnelDiagnose } from './tunnel-diagnose.js';
import { tunnelEngineFactory } from './tunnel-engine-factory.js';

/** The desktop app's name, as its data and log folders are named (src/main's APP_NAME). */
export const APP_FOLDER_NAME = 'Cluvio Agent';

export interface TunnelAgentHostOptions extends Omit<
  AgentHostOptions<AgentConfig>,
  'config' | 'createEngine' | 'supportBundle'
> {
  /** Where configuration files are searched for and imported to. */
  readonly search: ConfigSearchContext;
  /** Default: the tunnel engine reporting `appVersion`; a caller that needs more control (e.g. the CLI) wraps or replaces it. */
  readonly createEngine?: EngineFactory<AgentConfig>;
  /** The HTTP proxy of the default engines and of the diagnostics. */
  readonly proxy?: ProxySettings | null;
  /** A proxy setting that could not be used, reported by the diagnostics. */
  readonly proxyProblem?: string | null;
  /**
   * "Save support bundle": by default into the app's log folder (`appLogFolder`), recording
   * `search.env`'s proxy variables, with the proxy's credentials kept out.
   */
  readonly supportBundle?: Partial<HostSupportBundleOptions>;
}

/**
 * The desktop app's log folder for the user of `context`, where Electron keeps it: Linux
 * `$XDG_CONFIG_HOME/Cluvio Agent/logs` (else `~/.config/…`), macOS `~/Library/Logs/Cluvio Agent`,
 * Windows `%APPDATA%\Cluvio Agent\logs`. Null without a home folder.
 */
export function appLogFolder(context: ConfigSearchContext): string | null {
  // The user's configuration location is the app's data folder's parent on Linux and Windows, $HOME on macOS.
  const userConfig = userConfigLocation(context);
  if (userConfig === null) return null;
  const p = context.platform === 'win32' ? path.win32 : path.posix;
  const base = p.dirname(userConfig);
  return context.platform === 'darwin'
    ? p.join(base, 'Library', 'Logs', APP_FOLDER_NAME)
    : p.join(base, APP_FOLDER_NAME, 'logs');
}

export function createTunnelAgentHost(options: TunnelAgentHostOptions): AgentHost<AgentConfig> {
  const {
    search,
    proxy = null,
    proxyProblem = null,
    createEngine = tunnelEngineFactory({ version: options.appVersion, proxy }),
    supportBundle = {},
    ...rest
  } = options;
  const dir = supportBundle.dir ?? appLogFolder(search);
  return new AgentHost<AgentConfig>({
    ...rest,
    config: tunnelConfigBinding(search),
    createEngine,
    diagnose: tunnelDiagnose({ search, proxy, proxyProblem, version: options.appVersion }),
    supportBundle:
      dir === null
        ? null
        : {
            env: search.env,
            ...supportBundle,
            dir,
            secrets: [...bundleSecrets(null, proxy), ...(supportBundle.secrets ?? [])],
          },
  });
}

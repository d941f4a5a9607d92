import path from 'node:path';
import { AgentHost } from '../../../../src/host/agent-host.js';
import type { ConfigBinding } from '../../../../src/host/config-binding.js';
import { configSearchPaths, userConfigPath } from '../../../../src/host/config-search.js';

/**
 * A host whose search order finds nothing (all locations inside `dir`), so it stays in the
 * first-run state. Nothing here parses a configuration or creates an engine: tests that need
 * those use the real config module and engine.
 */
export function unconfiguredHost(dir: string): AgentHost<never> {
  const context = { platform: 'linux' as const, env: { XDG_CONFIG_HOME: path.join(dir, 'config') }, homeDir: dir, execDir: path.join(dir, 'bin') };
  const binding: ConfigBinding<never> = {
    parse: () => {
      throw new Error('this test never parses a configuration');
    },
    toPublic: () => {
      throw new Error('this test never loads a configuration');
    },
    secrets: () => [],
    searchPaths: () => configSearchPaths(context).filter((p) => p.startsWith(dir)),
    userConfigPath: () => userConfigPath(context),
  };
  return new AgentHost<never>({
    appVersion: '0.1.0-test',
    transport: 'dashboard',
    config: binding,
    createEngine: () => {
      throw new Error('this test never creates an engine');
    },
  });
}

/**
 * Environment overrides as config-rs 0.15 `Environment::with_prefix("CLUVIO_AGENT").separator("_")`
 * applies them (PROTOCOL.md §8.1): a variable name is lower-cased, must start with
 * `cluvio_agent_`, and every further `_` separates levels. Only `server.host`, `server.port` and
 * `server.trust` can be reached that way (kebab-case keys such as `secret-key` cannot:
 * `CLUVIO_AGENT_SECRET_KEY` would address `secret.key`). Empty values count; they win over the file.
 */

export type ServerOverrideKey = 'host' | 'port' | 'trust';

export interface ServerEnvOverride {
  readonly key: ServerOverrideKey;
  /** The variable as spelled in the environment. */
  readonly variable: string;
  readonly value: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const PREFIX = 'cluvio_agent_';
const REACHABLE: ReadonlyMap<string, ServerOverrideKey> = new Map([
  ['server.host', 'host'],
  ['server.port', 'port'],
  ['server.trust', 'trust'],
]);

/** The overrides present in `env`; when two variables differ only in case, the later one wins. */
export function serverEnvOverrides(env: Environment): ServerEnvOverride[] {
  const found = new Map<ServerOverrideKey, ServerEnvOverride>();
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const lower = variable.toLowerCase();
    if (!lower.startsWith(PREFIX)) continue;
    const key = REACHABLE.get(lower.slice(PREFIX.length).replaceAll('_', '.'));
    if (key !== undefined) found.set(key, { key, variable, value });
  }
  return [...found.values()];
}

/**
 * `--proxy URL` / `--no-proxy`, or the environment: which HTTP proxy the agent's connection to
 * the gateway goes through. An explicit URL wins over `https_proxy`/`HTTPS_PROXY`/`all_proxy`;
 * `--no-proxy` ignores them all; `no_proxy`/`NO_PROXY` exemptions apply in every case (as curl).
 */
import { noProxyList, parseProxyUrl, proxyFromEnvironment, type ProxySettings } from '../tunnel/agent/index.js';
import type { Environment } from '../tunnel/config/index.js';

/** Commander's value: a URL, `false` for `--no-proxy`, undefined when neither was given. */
export type ProxyOptionValue = string | false | undefined;

export type ProxyChoice =
  { readonly ok: true; readonly proxy: ProxySettings | null } | { readonly ok: false; readonly error: string };

export function resolveProxyOption(value: ProxyOptionValue, env: Environment): ProxyChoice {
  if (value === false) return { ok: true, proxy: null };
  if (value !== undefined) {
    const parsed = parseProxyUrl(value, 'command line (--proxy)', noProxyList(env));
    return parsed.ok ? parsed : { ok: false, error: parsed.error };
  }
  const fromEnv = proxyFromEnvironment(env);
  if (fromEnv === null) return { ok: true, proxy: null };
  return fromEnv.ok ? fromEnv : { ok: false, error: fromEnv.error };
}

/**
 * The proxies the proxy tests run against: the npm package `proxy` always (it is installed by
 * `npm ci`), and Debian's tinyproxy in addition where it is installed (TINYPROXY_PATH, default
 * /usr/bin/tinyproxy); where it is not, its cases are skipped with the reason in their titles.
 */
import { startNpmProxy } from './npm-proxy.js';
import type { ProxyKind } from './test-proxy.js';
import { startTinyproxy, tinyproxyUnavailable } from './tinyproxy.js';

export const NPM_PROXY: ProxyKind = {
  name: 'proxy (npm)',
  unavailable: undefined,
  wrongPasswordAnswer: '407 Proxy Authentication Required',
  start: startNpmProxy,
};

export const TINYPROXY: ProxyKind = {
  name: 'tinyproxy',
  unavailable: tinyproxyUnavailable(),
  // tinyproxy tells a wrong password from a missing one.
  wrongPasswordAnswer: '401 Unauthorized',
  start: startTinyproxy,
};

export const PROXY_KINDS: readonly ProxyKind[] = [NPM_PROXY, TINYPROXY];

/** `name`, or `name (skipped: why)` for a proxy this machine cannot run: for test titles. */
export function proxyTitle(kind: ProxyKind): string {
  return kind.unavailable === undefined ? kind.name : `${kind.name} (skipped: ${kind.unavailable})`;
}

/** For `it.for(PROXY_CASES)('… ($title) …', ({ kind }, { skip }) => …)`: each proxy with its title. */
export const PROXY_CASES: readonly { readonly kind: ProxyKind; readonly title: string }[] = PROXY_KINDS.map((kind) => ({
  kind,
  title: proxyTitle(kind),
}));

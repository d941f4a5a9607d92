/**
 * Vitest global setup (vitest.config.ts): says once per test run whether the proxy tests also run
 * against tinyproxy, and if not, how to have them do so (their titles say it too).
 */
import { TINYPROXY } from './proxy-kinds.js';
import { TINYPROXY_PATH } from './tinyproxy.js';

export default function setup(): void {
  console.log(
    TINYPROXY.unavailable === undefined
      ? `proxy tests: the npm proxy, and tinyproxy at ${TINYPROXY_PATH} as well`
      : `proxy tests: the npm proxy; their repeats against tinyproxy are skipped: ${TINYPROXY.unavailable}`,
  );
}

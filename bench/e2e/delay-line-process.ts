/**
 * The delay line of the wide-area path as a child process of its own (so it shares no event
 * loop with the agent or the gateway): bench/mux/delay-proxy.ts in front of `targetPort`.
 * Init `{ targetPort, oneWayMs }`, answers `{ port }`.
 */
import { startDelayProxy } from '../mux/delay-proxy.js';

export interface DelayLineInit {
  readonly targetPort: number;
  readonly oneWayMs: number;
}

process.once('message', (init: DelayLineInit) => {
  startDelayProxy(init.targetPort, init.oneWayMs).then(
    (proxy) => process.send?.({ port: proxy.port }),
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));

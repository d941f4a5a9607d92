/**
 * "MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort listeners
 * added to [AbortSignal]" was printed by `cluvio-agent --dashboard` with about 11 concurrent
 * streams, and during diagnose: each stream (its Connect read, target connect and relay) and each
 * diagnose probe listened on the one stop signal. Now they each get a child signal
 * (abort-fanout.ts) and the shared signal carries one listener: here 40 streams open at once
 * through a real gateway, and a diagnose run probing 3 allowed hosts on 10 ports each at once,
 * print no such warning, and every child signal is let go once its task is over.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortFanout } from '../../../src/tunnel/agent/abort-fanout.js';
import { runDiagnose } from '../../../src/tunnel/agent/diagnose.js';
import { parseAgentConfig } from '../../../src/tunnel/config/agent-config.js';
import type { MuxStream } from '../../../src/tunnel/mux/index.js';
import { quietGatewayFixture } from '../../support/gateway-fixture.js';
import { startAgent } from './support/agent-harness.js';
import { echoTarget } from './support/targets.js';
import { until } from './support/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The most 'abort' listeners any one AbortSignal held during the test. Node 20 and 22 print the
 * warning once a signal holds 11 (Node 24, which runs these tests, no longer warns for
 * AbortSignal), so the count is watched rather than the warning: every addEventListener call is
 * followed by a look at how many the signal now holds.
 */
function watchAbortListeners(): { readonly most: () => { count: number; where: string } } {
  type Add = (this: EventTarget, ...args: Parameters<EventTarget['addEventListener']>) => void;
  const original = Object.getOwnPropertyDescriptor(EventTarget.prototype, 'addEventListener')?.value as Add;
  let most = { count: 0, where: '' };
  EventTarget.prototype.addEventListener = function (
    this: EventTarget,
    ...args: Parameters<EventTarget['addEventListener']>
  ) {
    original.apply(this, args);
    if (args[0] === 'abort' && this instanceof AbortSignal) {
      const count = getEventListeners(this, 'abort').length;
      if (count > most.count) most = { count, where: new Error('listener added').stack ?? '' };
    }
  };
  cleanups.push(() => {
    EventTarget.prototype.addEventListener = original;
    return Promise.resolve();
  });
  return { most: () => most };
}

/** Node 20's events.defaultMaxListeners: it warns from the eleventh listener on. */
const NODE_WARNS_ABOVE = 10;

describe('abort listeners', () => {
  it('40 streams open at once: no signal holds more than 10 abort listeners', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const echo = await echoTarget();
    cleanups.push(() => echo.close());
    const keys = fixture.addAgent();
    const config = parseAgentConfig(fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.1/32'] }), {
      file: null,
      env: {},
    });
    const h = startAgent(config, {}, cleanups);
    await fixture.gateway.waitForAgent(keys.agentId);
    const listeners = watchAbortListeners();
    const streams: MuxStream[] = await Promise.all(
      Array.from({ length: 40 }, () => fixture.gateway.openStream(keys.agentId, `127.0.0.1:${echo.port}`)),
    );
    await until(() => h.agent.snapshot().counters.streamsOpen === 40, '40 open streams');
    // Each relay is running (bytes go both ways), so every stream holds its stop listener now.
    for (const stream of streams) stream.write('ping');
    await until(() => h.agent.streams().every((s) => s.bytesFromTarget >= 4), 'every echo');
    for (const stream of streams) stream.destroy();
    await until(() => h.agent.snapshot().counters.streamsOpen === 0, 'every stream closed');
    const most = listeners.most();
    expect(most.count, most.where).toBeLessThanOrEqual(NODE_WARNS_ABOVE);
  });

  it('diagnose probing 3 allowed hosts on 10 database ports each, at once: no signal holds more than 10 abort listeners', async () => {
    const fixture = await quietGatewayFixture(cleanups);
    const keys = fixture.addAgent();
    const listeners = watchAbortListeners();
    const config = parseAgentConfig(
      fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.2/32', '127.0.0.3/32', '127.0.0.4/32'] }),
      { file: null, env: {} },
    );
    const controller = new AbortController();
    const report = await runDiagnose({
      config: { ok: true, config, file: 'cluvio-agent.toml', rule: 'test' },
      proxy: null,
      handshake: { kind: 'skip' },
      version: 'test',
      signal: controller.signal,
    });
    expect(report.steps.filter((step) => step.kind === 'target')).toHaveLength(3);
    const most = listeners.most();
    expect(most.count, most.where).toBeLessThanOrEqual(NODE_WARNS_ABOVE);
  });

  it('the fan-out: one listener on the parent for any number of children, each aborted with the parent’s reason, released ones forgotten', () => {
    const parent = new AbortController();
    const fanout = new AbortFanout(parent.signal);
    const children = Array.from({ length: 50 }, () => fanout.child());
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    expect(fanout.size).toBe(50);
    children[0]?.release();
    expect(fanout.size).toBe(49);
    const reason = new Error('stopping');
    parent.abort(reason);
    expect(children.slice(1).every((child) => child.signal.aborted && child.signal.reason === reason)).toBe(true);
    expect(children[0]?.signal.aborted).toBe(false);
    const late = fanout.child();
    expect(late.signal.aborted).toBe(true);
    expect(fanout.size).toBe(0);
  });
});

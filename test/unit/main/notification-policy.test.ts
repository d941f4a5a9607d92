import { describe, expect, it } from 'vitest';
import {
  NOTICE_LIMIT,
  NOTICE_WINDOW_MS,
  NotificationPolicy,
  OFFLINE_NOTICE_AFTER_MS,
} from '../../../src/main/notification-policy.js';
import { type AgentSnapshot, type AgentState, ZERO_AGENT_COUNTERS } from '../../../src/shared/agent-state.js';

const counters = ZERO_AGENT_COUNTERS;
const config = {
  path: '/home/a/.config/cluvio-agent.toml',
  agentId: 'AGENT',
  server: { host: 'gateway.eu.cluvio.com', port: 443 },
  allowedAddresses: [],
  connectTimeoutMs: 30000,
  pingFrequencyMs: 60000,
};
const at = (state: AgentState): AgentSnapshot => ({ version: '1', config, state, counters });
const online = at({ phase: 'online', server: 'gateway.eu.cluvio.com', remoteAddress: '1.2.3.4:443', since: 0 });
const retrying = at({ phase: 'backing-off', attempt: 3, nextAttemptAt: 0, reason: 'connection refused' });
const MIN = 60_000;

/** Feeds `steps` ([time in minutes, snapshot or 'tick']) and returns the titles shown, by time. */
function run(policy: NotificationPolicy, steps: readonly (readonly [number, AgentSnapshot | 'tick'])[]): string[] {
  return steps.flatMap(([minute, step]) => {
    const now = minute * MIN;
    const shown = step === 'tick' ? policy.tick(now) : policy.observe(step, now);
    return shown.map((n) => `${minute}: ${n.title}`);
  });
}

describe('NotificationPolicy', () => {
  it('a short blip is no news; an outage longer than the threshold is, and so is its end', () => {
    expect(OFFLINE_NOTICE_AFTER_MS).toBe(2 * MIN);
    const policy = new NotificationPolicy(true);
    expect(
      run(policy, [
        [0, online],
        [1, retrying],
        [2.5, online], // 1.5 min: a blip
        [10, retrying],
        [11, 'tick'],
        [12, 'tick'],
        [13, 'tick'],
        [20, online],
      ]),
    ).toEqual(['12: Cluvio Agent is offline', '20: Cluvio Agent is back online']);
  });

  it('words each notice for the user: the gateway, how long, the cause, what happens next', () => {
    const policy = new NotificationPolicy(true);
    policy.observe(retrying, 0);
    const [offline] = policy.tick(2 * MIN);
    expect(offline?.body).toBe(
      'No connection to gateway.eu.cluvio.com for 2 minutes. connection refused. It keeps trying.',
    );
    const [back] = policy.observe(online, 95 * MIN);
    expect(back?.body).toBe('Connected to gateway.eu.cluvio.com again after 2 hours.');
  });

  it('stopped by the gateway: at once, and always (it cannot repeat without the user acting)', () => {
    const policy = new NotificationPolicy(true, { limit: 0 });
    const stopped = at({ phase: 'terminated', reason: 'Unauthorized', message: 'unknown agent' });
    const notices = policy.observe(stopped, 0);
    expect(notices).toEqual([
      {
        kind: 'stopped',
        title: 'Cluvio Agent was stopped by the gateway',
        body: 'unknown agent (Unauthorized). Open Cluvio Agent to see what to do.',
      },
    ]);
    // The same state again (counters ticking) says nothing new.
    expect(policy.observe(stopped, MIN)).toEqual([]);
    expect(policy.observe(online, 2 * MIN).map((n) => n.kind)).toEqual(['back-online']);
  });

  it('a flapping connection: at most a few offline notices per half hour, each followed by its "back online"', () => {
    expect([NOTICE_LIMIT, NOTICE_WINDOW_MS]).toEqual([3, 30 * MIN]);
    const policy = new NotificationPolicy(true);
    const steps: [number, AgentSnapshot | 'tick'][] = [];
    for (let minute = 0; minute < 60; minute += 5)
      steps.push([minute, retrying], [minute + 3, 'tick'], [minute + 4, online]);
    const shown = run(policy, steps);
    const offline = shown.filter((s) => s.endsWith('offline'));
    const back = shown.filter((s) => s.endsWith('back online'));
    expect(offline.length).toBeLessThanOrEqual(2 * Math.ceil(60 / 30));
    expect(offline.length).toBeGreaterThanOrEqual(2);
    expect(back.length).toBe(offline.length);
    // Every offline notice is followed by its back-online one, one minute later.
    for (const line of offline)
      expect(back).toContain(`${Number(line.split(':')[0]) + 1}: Cluvio Agent is back online`);
  });

  it('off: nothing, and an outage that began while off ends without a "back online"', () => {
    const policy = new NotificationPolicy(false);
    expect(
      run(policy, [
        [0, retrying],
        [5, 'tick'],
      ]),
    ).toEqual([]);
    policy.setEnabled(true);
    expect(run(policy, [[6, online]])).toEqual([]);
  });

  it('not an outage: no configuration, disabled in Cluvio, stopped here', () => {
    const policy = new NotificationPolicy(true);
    for (const state of [
      { phase: 'unconfigured', problem: null },
      { phase: 'disabled', nextAttemptAt: 0 },
      { phase: 'stopped' },
    ] as const) {
      expect(
        run(policy, [
          [0, at(state)],
          [30, 'tick'],
        ]),
      ).toEqual([]);
    }
  });
});

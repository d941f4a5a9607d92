import { describe, expect, it } from 'vitest';
import type { AgentState, TrafficSample } from '../../../src/shared/agent-state.js';
import { documentTitle, faviconFile } from '../../../src/renderer/document-status.js';
import { usableLanguage } from '../../../src/renderer/locale-guard.js';
import { appendTraffic, trafficSummary, TRAFFIC_WINDOW_MS } from '../../../src/renderer/traffic-samples.js';
import { boundedString, oneOf, readPreference, writePreference } from '../../../src/renderer/ui-preferences.js';

const sample = (at: number, fromTargets = 0, toTargets = 0, streamsOpen = 0): TrafficSample => ({
  at,
  toTargets,
  fromTargets,
  streamsOpen,
});

describe('the window title and favicon', () => {
  it('say whether the agent is online, so a background tab or taskbar entry shows it', () => {
    const online: AgentState = { phase: 'online', server: 'gw', remoteAddress: '1.2.3.4:443', since: 0 };
    const retrying: AgentState = { phase: 'backing-off', attempt: 3, nextAttemptAt: 0, reason: 'refused' };
    expect(documentTitle(online, true)).toBe('Online · Cluvio Agent');
    expect(documentTitle(retrying, true)).toBe('Offline, retrying · Cluvio Agent');
    expect(documentTitle({ phase: 'disabled', nextAttemptAt: 0 }, true)).toBe('Disabled by Cluvio · Cluvio Agent');
    expect(documentTitle(online, false)).toBe('Agent unreachable · Cluvio Agent');
    expect(documentTitle(null, true)).toBe('Cluvio Agent');
    expect(faviconFile('backing-off')).toBe('./favicon-backing-off.svg');
    expect(faviconFile(null)).toBe('./favicon.svg');
  });
});

describe('traffic samples', () => {
  it('merge in time order without duplicates and keep the last 10 minutes', () => {
    const merged = appendTraffic([sample(1_000), sample(3_000)], [sample(3_000, 5), sample(2_000)]);
    expect(merged.map((s) => s.at)).toEqual([1_000, 2_000, 3_000]);
    expect(merged.at(-1)?.fromTargets).toBe(5);
    const later = appendTraffic(merged, [sample(3_000 + TRAFFIC_WINDOW_MS)]);
    expect(later.map((s) => s.at)).toEqual([3_000 + TRAFFIC_WINDOW_MS]);
  });

  it('are summed up in a sentence: now, and the busiest moment', () => {
    expect(trafficSummary([])).toBe('No traffic measured yet: the first sample comes within a few seconds.');
    expect(trafficSummary([sample(1), sample(2)])).toBe(
      'Now 0 B/s to databases, 0 B/s from databases, 0 open streams. Nothing moved in the last 10 minutes.',
    );
    expect(trafficSummary([sample(1, 3 * 1024 * 1024, 2048, 4), sample(2, 0, 0, 1)])).toBe(
      'Now 0 B/s to databases, 0 B/s from databases, 1 open stream. Busiest in the last 10 minutes: 2.0 KiB/s to, 3.0 MiB/s from databases, 4 open streams.',
    );
  });
});

describe('kept preferences', () => {
  it('are read back only when they pass their check; storage that fails is no error', () => {
    const map = new Map<string, string>();
    const store = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => map.set(k, v) };
    writePreference('logs.view', 'warn', store);
    expect(map.get('cluvio-agent.logs.view')).toBe('"warn"');
    expect(readPreference('logs.view', 'activity', (raw) => oneOf(raw, ['activity', 'warn']), store)).toBe('warn');
    map.set('cluvio-agent.logs.view', '"<script>"');
    expect(readPreference('logs.view', 'activity', (raw) => oneOf(raw, ['activity', 'warn']), store)).toBe('activity');
    map.set('cluvio-agent.logs.search', 'not json');
    expect(readPreference('logs.search', '', (raw) => boundedString(raw, 10), store)).toBe('');
    map.set('cluvio-agent.logs.search', JSON.stringify('x'.repeat(11)));
    expect(readPreference('logs.search', '', (raw) => boundedString(raw, 10), store)).toBe('');
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
    };
    expect(readPreference('a', 1, () => 2, broken)).toBe(1);
    expect(() => {
      writePreference('a', 1, broken);
    }).not.toThrow();
  });
});

describe('the language guard', () => {
  it('replaces a tag Intl refuses (Chromium under LANG=C says en-US@posix) and leaves a usable one alone', () => {
    expect(() => new Intl.NumberFormat('en-US@posix')).toThrow(RangeError);
    expect(usableLanguage('en-US@posix')).toBe('en-US');
    expect(usableLanguage('de-CH')).toBeNull();
    expect(usableLanguage('@@')).toBe('en-US');
  });
});

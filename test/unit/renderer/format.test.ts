import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate } from '../../../src/renderer/format.js';
import { agentStatus, stateDescription, stateLabel } from '../../../src/shared/agent-status.js';
import { formatLogLine } from '../../../src/shared/log-line.js';

describe('UI formatting', () => {
  it('sizes, rates and durations read naturally', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MiB');
    expect(formatRate(0)).toBe('–');
    expect(formatRate(2048)).toBe('2.0 KiB/s');
    expect(formatDuration(42_900)).toBe('42 s');
    expect(formatDuration(187_000)).toBe('3 min 07 s');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2 h 05 min');
    expect(formatDuration(-5)).toBe('0 s');
  });

  it('states get a label, a status colour and a sentence with what to do', () => {
    expect(stateLabel({ phase: 'backing-off', attempt: 3, nextAttemptAt: 10_000, reason: 'connection refused' })).toBe(
      'Retrying',
    );
    expect(
      stateDescription(
        { phase: 'backing-off', attempt: 3, nextAttemptAt: 10_000, reason: 'connection refused' },
        4_100,
      ),
    ).toBe('connection refused. Next attempt in 6 s.');
    expect(
      stateDescription(
        { phase: 'unconfigured', problem: { file: 'a.toml', key: 'server.host', message: 'invalid hostname' } },
        0,
      ),
    ).toBe('server.host: invalid hostname');
    expect(stateDescription({ phase: 'unconfigured', problem: null }, 0)).toContain('import the cluvio-agent.toml');
    expect(agentStatus({ phase: 'authenticating', server: 'gw', remoteAddress: '1.2.3.4:443' })).toBe('connecting');
  });

  it('log lines quote field values that contain spaces', () => {
    const line = formatLogLine({
      seq: 1,
      time: Date.UTC(2025, 0, 2, 3, 4, 5, 6),
      level: 'warn',
      module: 'm',
      message: 'refused',
      fields: { target: 'db:5432', reason: 'not allowed', empty: '' },
    });
    expect(line).toBe('2025-01-02T03:04:05.006Z WARN  m: refused target=db:5432 reason="not allowed" empty=""');
  });
});

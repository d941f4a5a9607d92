import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../../src/shared/agent-state.js';
import { AgentStateMachine, canTransition } from '../../../src/tunnel/agent/agent-state-machine.js';

function machine(): { machine: AgentStateMachine; seen: AgentState[]; refused: string[] } {
  const seen: AgentState[] = [];
  const refused: string[] = [];
  return {
    machine: new AgentStateMachine(
      (state) => seen.push(state),
      (from, to) => refused.push(`${from.phase}->${to.phase}`),
    ),
    seen,
    refused,
  };
}

describe('agent state machine', () => {
  it('follows a connect, accept, reconnect and stop', () => {
    const { machine: m, seen, refused } = machine();
    const states: AgentState[] = [
      { phase: 'connecting', attempt: 1, server: 'gw:443' },
      { phase: 'authenticating', server: 'gw:443', remoteAddress: '10.0.0.1:443' },
      { phase: 'online', server: 'gw:443', remoteAddress: '10.0.0.1:443', since: 1 },
      { phase: 'connecting', attempt: 1, server: 'gw:443' },
      { phase: 'backing-off', attempt: 2, nextAttemptAt: 5, reason: 'refused' },
      { phase: 'connecting', attempt: 2, server: 'gw:443' },
      { phase: 'authenticating', server: 'gw:443', remoteAddress: '10.0.0.1:443' },
      { phase: 'disabled', nextAttemptAt: 10 },
      { phase: 'connecting', attempt: 2, server: 'gw:443' },
      { phase: 'stopped' },
    ];
    for (const state of states) expect(m.transition(state)).toBe(true);
    expect(seen).toEqual(states);
    expect(refused).toEqual([]);
    expect(m.final).toBe(true);
  });

  it('keeps final phases final and reports refused transitions', () => {
    const { machine: m, refused } = machine();
    m.transition({ phase: 'connecting', attempt: 1, server: 'gw:443' });
    m.transition({ phase: 'authenticating', server: 'gw:443', remoteAddress: 'x' });
    m.transition({ phase: 'terminated', reason: 'Unauthorized', message: 'unauthorized agent' });
    expect(m.transition({ phase: 'stopped' })).toBe(false);
    expect(m.state.phase).toBe('terminated');
    expect(refused).toEqual(['terminated->stopped']);
  });

  it('never goes online without having authenticated', () => {
    expect(canTransition('connecting', 'online')).toBe(false);
    expect(canTransition('backing-off', 'online')).toBe(false);
    expect(canTransition('idle', 'terminated')).toBe(false);
  });
});

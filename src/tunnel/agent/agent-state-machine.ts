/**
 * The agent's phases as every consumer sees them (src/shared/agent-state.ts), and which phase
 * may follow which. `terminated` and `stopped` are final. A transition the table does not allow
 * is not applied and is reported, so a bug shows up in tests and logs instead of as a UI stuck in
 * a phase the engine has left.
 */
import type { AgentPhase, AgentState } from '../../shared/agent-state.js';

const NEXT: Readonly<Record<AgentPhase, readonly AgentPhase[]>> = {
  unconfigured: [],
  idle: ['connecting', 'backing-off', 'disabled', 'stopped'],
  connecting: ['connecting', 'authenticating', 'backing-off', 'disabled', 'stopped'],
  // Hello is written; the reference acts on SwitchToNewConnection and Terminate before Accepted too.
  authenticating: ['online', 'connecting', 'backing-off', 'disabled', 'terminated', 'stopped'],
  online: ['online', 'connecting', 'backing-off', 'disabled', 'terminated', 'stopped'],
  'backing-off': ['connecting', 'stopped'],
  disabled: ['connecting', 'stopped'],
  terminated: [],
  stopped: [],
};

export function isFinalPhase(phase: AgentPhase): boolean {
  return phase === 'terminated' || phase === 'stopped';
}

export function canTransition(from: AgentPhase, to: AgentPhase): boolean {
  return NEXT[from].includes(to);
}

export class AgentStateMachine {
  #state: AgentState = { phase: 'idle' };
  readonly #onTransition: (state: AgentState) => void;
  readonly #onRefused: (from: AgentState, to: AgentState) => void;

  constructor(onTransition: (state: AgentState) => void, onRefused: (from: AgentState, to: AgentState) => void) {
    this.#onTransition = onTransition;
    this.#onRefused = onRefused;
  }

  get state(): AgentState {
    return this.#state;
  }

  get final(): boolean {
    return isFinalPhase(this.#state.phase);
  }

  /** Moves to `next` if the table allows it; returns whether it did. */
  transition(next: AgentState): boolean {
    if (!canTransition(this.#state.phase, next.phase)) {
      this.#onRefused(this.#state, next);
      return false;
    }
    this.#state = next;
    this.#onTransition(next);
    return true;
  }
}

/**
 * What the UI says about an import or a restore at each step (`ConfigChange.message` and `fix`),
 * for someone who just dropped a file: what happened, and what to do if anything.
 */
import type { ConfigChange } from '../shared/agent-api.js';
import type { PublicConfig } from '../shared/agent-state.js';
import { type GatewayRefusal, refusalWords } from '../shared/gateway-refusal-words.js';

export interface ChangeWords {
  readonly message: string;
  readonly fix: string | null;
}

type Subject = Pick<ConfigChange, 'kind' | 'fileName' | 'config'>;

const serverOf = (config: PublicConfig): string => `${config.server.host}:${config.server.port}`;

function what(change: Subject): string {
  return change.kind === 'import' ? `Imported ${change.fileName}` : 'Restored the previous configuration';
}

export function unchangedWords(change: Subject): ChangeWords {
  return {
    message: `${change.fileName} is already in use: it is the configuration the agent runs on, so nothing was changed.`,
    fix: null,
  };
}

export function connectingWords(change: Subject): ChangeWords {
  return {
    message: `${what(change)}: saved, and the agent restarted as ${change.config.agentId}; waiting for the gateway ${serverOf(change.config)} to answer.`,
    fix: null,
  };
}

export function confirmedWords(change: Subject): ChangeWords {
  return {
    message: `${what(change)}: the gateway ${serverOf(change.config)} accepted agent ${change.config.agentId}. Connected.`,
    fix: null,
  };
}

export function unreachableWords(change: Subject, error: string, restorable: boolean): ChangeWords {
  return {
    message: `${what(change)}: saved; the gateway ${serverOf(change.config)} cannot be reached yet (${error}). The agent keeps trying.`,
    fix: restorable
      ? 'If the network is fine and this is the wrong file, restore the previous configuration. Diagnose shows where the connection fails.'
      : 'Diagnose shows where the connection fails.',
  };
}

export function stillWaitingWords(change: Subject, restorable: boolean): ChangeWords {
  return {
    message: `${what(change)}: saved; the gateway ${serverOf(change.config)} has not answered yet. The agent keeps trying.`,
    fix: restorable ? 'If this is the wrong file, restore the previous configuration.' : null,
  };
}

export function disabledWords(change: Subject): ChangeWords {
  return {
    message: `${what(change)}: the gateway knows agent ${change.config.agentId}, but it is disabled in Cluvio.`,
    fix: 'Enable the agent in Cluvio; the agent checks again every 5 seconds.',
  };
}

/** Refused for good, and the configuration before it runs again. */
export function rolledBackWords(change: Subject, refusal: GatewayRefusal, previous: PublicConfig | null): ChangeWords {
  const words = refusalWords(refusal);
  const back =
    previous === null
      ? 'The previous configuration runs again.'
      : `The previous configuration (agent ${previous.agentId}, gateway ${serverOf(previous)}) runs again.`;
  return {
    message: `${change.fileName} was not kept: ${words.why} ${back}`,
    fix: words.fix,
  };
}

/**
 * Refused for good, and not rolled back because the previous configuration allows targets this
 * one does not (`beyond`): a refusal is no reason to let the gateway reach more.
 */
export function notRolledBackWords(change: Subject, refusal: GatewayRefusal, beyond: readonly string[]): ChangeWords {
  const words = refusalWords(refusal);
  const shown = beyond.slice(0, 5).join(', ') + (beyond.length > 5 ? ` and ${beyond.length - 5} more` : '');
  return {
    message: `${what(change)}, but the gateway refused it. ${words.why} It was not rolled back: the previous configuration allows addresses this one does not (${shown}), and a refusal is no reason to let the agent reach more than you chose.`,
    fix: `${words.fix} If you do want the wider allowed addresses back, restore the previous configuration.`,
  };
}

/** Refused for good, with nothing to go back to (or a restore, which is never undone by itself). */
export function refusedWords(change: Subject, refusal: GatewayRefusal, restorable: boolean): ChangeWords {
  const words = refusalWords(refusal);
  const kept =
    change.kind === 'restore'
      ? 'The restored configuration stays in place: "Restore previous" goes back to the one it replaced.'
      : 'There was no working configuration to go back to, so this one stays in place.';
  return {
    message: `${what(change)}, but the gateway refused it. ${words.why} ${kept}`,
    fix: restorable && change.kind === 'import' ? `${words.fix} Or restore the previous configuration.` : words.fix,
  };
}

export function rollBackFailedWords(change: Subject, refusal: GatewayRefusal, error: string): ChangeWords {
  const words = refusalWords(refusal);
  return {
    message: `${change.fileName} was refused by the gateway, and going back to the previous configuration failed (${error}). ${words.why}`,
    fix: `${words.fix} Or restore the previous configuration.`,
  };
}

/**
 * What a definite "no" from the gateway means for the user and what to do about it, in words for
 * the app and the dashboard: a permanent `Terminate` (PROTOCOL.md §5.2) or a certificate the
 * configuration does not trust. Shown when an import is rolled back, and on the agent's state
 * "Stopped by the gateway". Isomorphic.
 */
import type { TerminateReason } from './agent-state.js';

export type GatewayRefusal =
  | { readonly kind: 'terminated'; readonly reason: Exclude<TerminateReason, 'Disabled'> }
  | { readonly kind: 'certificate'; readonly server: string; readonly detail: string }
  /** The configuration's `[server] trust` could not be loaded at all. */
  | { readonly kind: 'trust-unusable'; readonly detail: string };

export interface RefusalWords {
  /** What the gateway's answer means, as a sentence. */
  readonly why: string;
  /** What to do. */
  readonly fix: string;
}

const DOWNLOAD = "Download this agent's configuration (cluvio-agent.toml) from Cluvio again and import it.";

const TERMINATE_WORDS: Readonly<Record<Exclude<TerminateReason, 'Disabled'>, RefusalWords>> = {
  Unauthorized: {
    why: "The gateway does not know this agent's key (Unauthorized): the file belongs to another agent, to an agent deleted in Cluvio, or is an old download.",
    fix: DOWNLOAD,
  },
  Unauthenticated: {
    why: "The gateway could not verify this agent's key (Unauthenticated): the secret key does not belong to the agent ID it claims.",
    fix: DOWNLOAD,
  },
  UnsupportedVersion: {
    why: "The gateway does not support this agent's version (UnsupportedVersion).",
    fix: 'Update Cluvio Agent to the current version, then import the configuration again.',
  },
};

export function refusalWords(refusal: GatewayRefusal): RefusalWords {
  switch (refusal.kind) {
    case 'terminated':
      return TERMINATE_WORDS[refusal.reason];
    case 'certificate':
      return {
        why: `The gateway it names, ${refusal.server}, presented a certificate this configuration does not trust (${refusal.detail}).`,
        fix: `${DOWNLOAD} For a self-hosted gateway, its [server] trust must hold the CA that signed the gateway's certificate; on a corporate network, a proxy that inspects TLS may be replacing it (Diagnose shows the certificate).`,
      };
    case 'trust-unusable':
      return { why: `Its [server] trust cannot be used (${refusal.detail}).`, fix: DOWNLOAD };
  }
}

/** The permanent reasons a Terminate can carry (Disabled is retried, so it is no refusal). */
export function isPermanentRefusal(reason: TerminateReason): reason is Exclude<TerminateReason, 'Disabled'> {
  return reason !== 'Disabled';
}

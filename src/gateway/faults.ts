/**
 * Misbehaviours a real gateway would never choose, for tests that check how agents cope with a
 * faulty gateway. Every field defaults to off; production code paths never set them.
 */
export interface GatewayFaults {
  /** Never answer `Client::Ping` (the agent should give up after its ping-frequency and reconnect). */
  readonly ignoreClientPings?: boolean;
  /** Seal the challenge for a different key, so that the agent cannot open it (→ DecryptionFailed). */
  readonly corruptChallenge?: boolean;
}

export const NO_FAULTS: Readonly<GatewayFaults> = Object.freeze({});

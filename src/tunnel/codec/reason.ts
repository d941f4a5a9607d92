/**
 * `Reason` for `Terminate` (PROTOCOL.md §5.2): an ordinary enum of unit variants, so each value
 * is `[index, []]`. The names are the ones the shared UI types use.
 */
import type { TerminateReason } from '../../shared/agent-state.js';
import type { CborReader } from './cbor-reader.js';
import type { CborWriter } from './cbor-writer.js';
import { decodeVariantIndex, unknownVariant } from './derived-decoding.js';

export type Reason = TerminateReason;

/** Wire index → name. */
export const REASONS: readonly Reason[] = ['Unauthenticated', 'Unauthorized', 'UnsupportedVersion', 'Disabled'];

const TEXTS: Readonly<Record<Reason, string>> = {
  Unauthenticated: 'unauthenticated agent',
  Unauthorized: 'unauthorized agent',
  UnsupportedVersion: 'unsupported agent version',
  Disabled: 'agent disabled',
};

/** The reference agent's Display text, e.g. `agent disabled`. */
export function reasonText(reason: Reason): string {
  return TEXTS[reason];
}

/** Only `Disabled` asks the agent to retry (every 5 s); the others stop it for good. */
export function isPermanentReason(reason: Reason): boolean {
  return reason !== 'Disabled';
}

export function encodeReason(writer: CborWriter, reason: Reason): void {
  writer.array(2).uint(REASONS.indexOf(reason), 'reason').array(0);
}

export function decodeReason(reader: CborReader): Reason {
  const index = decodeVariantIndex(reader, 'Reason');
  const reason = REASONS[index];
  if (reason === undefined) throw unknownVariant('Reason', index, reader.position);
  reader.skip(); // a unit variant skips its second element, whatever it is
  return reason;
}

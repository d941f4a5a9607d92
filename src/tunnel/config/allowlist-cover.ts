/**
 * Whether one `allowed-addresses` list lets the agent reach a target another one does not — the
 * question a roll-back must ask before it puts an older configuration back without the user
 * (host-config-changes.ts): going back may never widen what the gateway can reach.
 *
 * Decided entry by entry, conservatively: every entry of the other list must be covered by one
 * entry of this list —
 *
 * - a network by a network of its family whose prefix is no longer and which contains it;
 * - a DNS name by the same name (byte for byte, as the matcher compares) or a pattern matching it;
 * - a `*.suffix` pattern by `*.` or by a pattern matching its suffix (each name the narrower
 *   pattern matches ends in that suffix at a label boundary, so the wider one matches it too);
 * - an entry that does not parse by nothing.
 *
 * Two lists that allow the same targets written differently (`10.0.0.0/8` as two /9s) count as
 * wider: a false "wider" only skips an automatic roll-back, a false "not wider" would open the
 * network.
 */
import { parseAllowlistEntry, type AllowlistEntry } from './allowlist.js';
import { dnsPatternMatches } from './dns-pattern.js';
import { networkContains } from './ip-network.js';

/** The entries of `candidate` that `current` does not cover (empty: `candidate` allows nothing more). */
export function entriesBeyond(current: readonly string[], candidate: readonly string[]): string[] {
  const covering = current.map(parseAllowlistEntry).filter((entry): entry is AllowlistEntry => entry !== null);
  return candidate.filter((text) => {
    const entry = parseAllowlistEntry(text);
    return entry === null || !covering.some((wider) => covers(wider, entry));
  });
}

function covers(wider: AllowlistEntry, entry: AllowlistEntry): boolean {
  switch (entry.kind) {
    case 'network':
      return (
        wider.kind === 'network' &&
        wider.network.prefixLength <= entry.network.prefixLength &&
        networkContains(wider.network, { family: entry.network.family, bytes: entry.network.address })
      );
    case 'name':
      return (
        (wider.kind === 'name' && wider.text === entry.text) ||
        (wider.kind === 'pattern' && dnsPatternMatches(wider.pattern, entry.text))
      );
    case 'pattern':
      if (wider.kind !== 'pattern') return false;
      if (wider.pattern.suffix === null) return true;
      return entry.pattern.suffix !== null && dnsPatternMatches(wider.pattern, entry.pattern.suffix);
  }
}

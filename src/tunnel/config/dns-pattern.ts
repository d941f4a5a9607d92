/**
 * `*.<dns-name>` allowlist patterns and the match-all `*.`, as the reference's
 * agent/src/dns_pattern.rs: compared from the end with ASCII case folding, the pattern's name
 * must be a suffix of the candidate and either equal it or follow a `.`; so `*.example.com`
 * matches `example.com` and `db.EXAMPLE.com` but not `badexample.com`, and a trailing dot counts.
 */
import { isDnsName } from './dns-name.js';

export interface DnsPattern {
  /** The name after `*.`, or null for `*.` (matches everything). */
  readonly suffix: string | null;
}

export function parseDnsPattern(text: string): DnsPattern | null {
  if (!text.startsWith('*.')) return null;
  const rest = text.slice(2);
  if (rest === '') return { suffix: null };
  return isDnsName(rest) ? { suffix: rest } : null;
}

function asciiLower(char: string): string {
  return char >= 'A' && char <= 'Z' ? char.toLowerCase() : char;
}

export function dnsPatternMatches(pattern: DnsPattern, name: string): boolean {
  if (pattern.suffix === null) return true;
  const ours = Array.from(pattern.suffix);
  const theirs = Array.from(name);
  if (theirs.length < ours.length) return false;
  for (let i = 1; i <= ours.length; i++) {
    if (asciiLower(ours[ours.length - i] ?? '') !== asciiLower(theirs[theirs.length - i] ?? '')) return false;
  }
  const before = theirs[theirs.length - ours.length - 1];
  return before === undefined || before === '.';
}

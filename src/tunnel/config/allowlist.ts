/**
 * `allowed-addresses` (PROTOCOL.md §7.6): each entry is tried as an IP network in CIDR form, then
 * as a DNS name, then as a `*.` pattern. Addresses match IP networks of their own family only;
 * names match DNS names exactly (byte-wise, case as written) or patterns — never IP networks,
 * even when the name looks like an IP address.
 */
import { isDnsName } from './dns-name.js';
import { dnsPatternMatches, parseDnsPattern, type DnsPattern } from './dns-pattern.js';
import { ipAddressFromBytes, parseIpAddress, type IpAddress } from './ip-address.js';
import { networkContains, parseIpNetwork, type IpNetwork } from './ip-network.js';

export type AllowlistEntry =
  | { readonly kind: 'network'; readonly text: string; readonly network: IpNetwork }
  | { readonly kind: 'name'; readonly text: string }
  | { readonly kind: 'pattern'; readonly text: string; readonly pattern: DnsPattern };

/** The reference's default: everything allowed. */
export const DEFAULT_ALLOWED_ADDRESSES: readonly string[] = ['0.0.0.0/0', '::/0', '*.'];

/** Parses one entry, or null when it is neither network, DNS name nor pattern. */
export function parseAllowlistEntry(text: string): AllowlistEntry | null {
  const network = parseIpNetwork(text);
  if (network !== null) return { kind: 'network', text, network };
  if (isDnsName(text)) return { kind: 'name', text };
  const pattern = parseDnsPattern(text);
  if (pattern !== null) return { kind: 'pattern', text, pattern };
  return null;
}

export class Allowlist {
  readonly entries: readonly AllowlistEntry[];

  constructor(entries: readonly AllowlistEntry[]) {
    this.entries = entries;
  }

  /** Parses entries that are known to be valid (e.g. the defaults); throws on a bad one. */
  static of(texts: readonly string[]): Allowlist {
    return new Allowlist(
      texts.map((text) => {
        const entry = parseAllowlistEntry(text);
        if (entry === null) throw new Error(`not an allowlist entry: ${JSON.stringify(text)}`);
        return entry;
      }),
    );
  }

  /**
   * An IP address target (`Address::Addr`): as 4/16 bytes from the wire, or as text (strict
   * std syntax; unparseable text is not allowed). The port does not matter.
   */
  allowsIp(ip: Uint8Array | string | IpAddress): boolean {
    const address =
      typeof ip === 'string' ? parseIpAddress(ip, 'strict') : ip instanceof Uint8Array ? ipAddressFromBytes(ip) : ip;
    if (address === null) return false;
    return this.entries.some((entry) => entry.kind === 'network' && networkContains(entry.network, address));
  }

  /** A name target (`Address::Name`), exactly as the gateway sent it. */
  allowsName(name: string): boolean {
    return this.entries.some(
      (entry) =>
        (entry.kind === 'name' && entry.text === name) ||
        (entry.kind === 'pattern' && dnsPatternMatches(entry.pattern, name)),
    );
  }

  /** The entries as written in the configuration. */
  texts(): string[] {
    return this.entries.map((entry) => entry.text);
  }

  toJSON(): string[] {
    return this.texts();
  }
}

/**
 * The allowlist check of a requested target exactly as the reference's `CheckedAddr::check`
 * (PROTOCOL.md §7.6): an IP address only against IP networks of its own family (an IPv4-mapped
 * IPv6 address stays IPv6), a name only against DNS names and `*.` patterns — never against the
 * networks its addresses would resolve to. The port plays no part.
 */
import type { Address } from '../codec/index.js';
import type { Allowlist } from '../config/index.js';

export function isAddressAllowed(address: Address, allowlist: Allowlist): boolean {
  return address.kind === 'addr' ? allowlist.allowsIp(address.ip) : allowlist.allowsName(address.name);
}

/**
 * IP networks in CIDR form, parsed exactly as ipnet 2.11 `IpNet::from_str` (the reference's
 * `allowed-addresses`): `<ipv4>/<0..32>` (prefix of at most 2 digits) or `<ipv6>/<0..128>` (at
 * most 3 digits), addresses in ipnet's lenient dialect (see ip-address.ts). A bare address without
 * `/len` is not a network. Host bits may be set (`10.1.2.3/8`); containment uses the prefix only.
 */
import { AddressTextReader, type IpAddress, type IpFamily } from './ip-address.js';

export interface IpNetwork {
  readonly family: IpFamily;
  readonly address: Uint8Array;
  readonly prefixLength: number;
}

function readNetwork(text: string, family: IpFamily): IpNetwork | null {
  const reader = new AddressTextReader(text, 'ipnet');
  const address = family === 4 ? reader.readIpv4() : reader.readIpv6();
  if (address === null || !reader.readChar('/')) return null;
  const prefixLength = family === 4 ? reader.readNumber(10, 2, 33, true) : reader.readNumber(10, 3, 129, true);
  if (prefixLength === null || !reader.atEnd()) return null;
  return { family, address, prefixLength };
}

export function parseIpNetwork(text: string): IpNetwork | null {
  return readNetwork(text, 4) ?? readNetwork(text, 6);
}

/** True when `ip` is inside `network`; an address of the other family never is (ipnet `contains`). */
export function networkContains(network: IpNetwork, ip: IpAddress): boolean {
  if (network.family !== ip.family) return false;
  const fullBytes = Math.floor(network.prefixLength / 8);
  for (let i = 0; i < fullBytes; i++) {
    if (network.address[i] !== ip.bytes[i]) return false;
  }
  const remainingBits = network.prefixLength % 8;
  if (remainingBits === 0) return true;
  const mask = (0xff << (8 - remainingBits)) & 0xff;
  return ((network.address[fullBytes] ?? 0) & mask) === ((ip.bytes[fullBytes] ?? 0) & mask);
}

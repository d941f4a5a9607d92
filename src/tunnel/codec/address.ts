/**
 * `Address` (PROTOCOL.md §5.4): where the gateway wants the agent to connect.
 *
 * - `Addr(SocketAddr)` → `[0, [[family, [h'ip', port]]]]` with family 0 = IPv4 (4-byte string),
 *   1 = IPv6 (16-byte string); minicbor's compact std::net form (§4.3).
 * - `Name(text, port)` → `[1, [name, port]]`.
 *
 * The family is explicit so that an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) keeps its V6
 * form and every value maps to exactly one encoding.
 */
import type { CborReader } from './cbor-reader.js';
import type { CborWriter } from './cbor-writer.js';
import {
  decodeArrayFields,
  decodeByteArray,
  decodeVariantIndex,
  requireField,
  unknownVariant,
} from './derived-decoding.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip-address.js';

export type IpFamily = 4 | 6;

export type Address =
  /** A socket address; `ip` is canonical text (see ip-address.ts), `port` 0–65535. */
  | { readonly kind: 'addr'; readonly family: IpFamily; readonly ip: string; readonly port: number }
  /** A DNS name the agent resolves itself, exactly as sent (not re-parsed as an IP literal). */
  | { readonly kind: 'name'; readonly name: string; readonly port: number };

const ADDRESS_ADDR = 0;
const ADDRESS_NAME = 1;
const SOCKET_V4 = 0;
const SOCKET_V6 = 1;

/** Throws RangeError for an `ip` that is not an address of its `family`, or a bad port. */
export function encodeAddress(writer: CborWriter, address: Address): void {
  checkPort(address.port);
  if (address.kind === 'name') {
    writer
      .array(2)
      .uint(ADDRESS_NAME, 'address variant')
      .array(2)
      .text(address.name, 'address name')
      .uint(address.port, 'port');
    return;
  }
  const ip = address.family === 4 ? parseIpv4(address.ip) : parseIpv6(address.ip);
  if (ip === null) throw new RangeError(`"${address.ip}" is not an IPv${address.family} address`);
  writer.array(2).uint(ADDRESS_ADDR, 'address variant').array(1);
  writer.array(2).uint(address.family === 4 ? SOCKET_V4 : SOCKET_V6, 'socket address family');
  writer.array(2).bytes(ip).uint(address.port, 'port');
}

export function decodeAddress(reader: CborReader): Address {
  const variantAt = reader.position;
  const variant = decodeVariantIndex(reader, 'Address');
  const fieldsAt = reader.position;
  if (variant === ADDRESS_ADDR) {
    let socket: Address | undefined;
    decodeArrayFields(reader, 'the fields of Address::Addr', (index) => {
      if (index === 0) socket = decodeSocketAddr(reader);
      else reader.skip();
    });
    return requireField(socket, 'Address::Addr socket address (field 0)', fieldsAt);
  }
  if (variant === ADDRESS_NAME) {
    let name: string | undefined;
    let port: number | undefined;
    decodeArrayFields(reader, 'the fields of Address::Name', (index) => {
      if (index === 0) name = reader.text('Address::Name name');
      else if (index === 1) port = reader.u16('Address::Name port');
      else reader.skip();
    });
    return {
      kind: 'name',
      name: requireField(name, 'Address::Name name (field 0)', fieldsAt),
      port: requireField(port, 'Address::Name port (field 1)', fieldsAt),
    };
  }
  throw unknownVariant('Address', variant, variantAt);
}

/** minicbor's `SocketAddr`: a definite `[family, [ip, port]]`; the inner pair may be indefinite. */
function decodeSocketAddr(reader: CborReader): Address {
  const variantAt = reader.position;
  const family = decodeVariantIndex(reader, 'SocketAddr');
  if (family !== SOCKET_V4 && family !== SOCKET_V6) throw unknownVariant('SocketAddr', family, variantAt);
  const fieldsAt = reader.position;
  const what = family === SOCKET_V4 ? 'SocketAddrV4' : 'SocketAddrV6';
  let ip: Uint8Array | undefined;
  let port: number | undefined;
  decodeArrayFields(reader, what, (index) => {
    if (index === 0) ip = decodeByteArray(reader, family === SOCKET_V4 ? 4 : 16, `${what} ip`);
    else if (index === 1) port = reader.u16(`${what} port`);
    else reader.skip(); // extra trailing elements are skipped
  });
  const bytes = requireField(ip, `${what} ip (field 0)`, fieldsAt);
  return {
    kind: 'addr',
    family: family === SOCKET_V4 ? 4 : 6,
    ip: family === SOCKET_V4 ? formatIpv4(bytes) : formatIpv6(bytes),
    port: requireField(port, `${what} port (field 1)`, fieldsAt),
  };
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff)
    throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`);
}

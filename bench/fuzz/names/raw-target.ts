/**
 * A target as a hostile gateway may send it: an `Address::Name` whose text is any bytes at all
 * (invalid UTF-8 included, which no encoder of ours would write), or an `Address::Addr`. Encoded
 * by hand, byte for byte as minicbor lays the messages out (PROTOCOL.md §5.1, §5.4), into a
 * `Server::Test` body or a data stream's `Message<Connect>` body.
 *
 *   encodeTestBody(7n, { kind: 'name', name: Buffer.from('db\0.corp.example'), port: 5432 })
 */
import { formatIpv4, formatIpv6 } from '../../../src/tunnel/codec/index.js';
import { loggableText, NAME_TEXT_LIMIT } from '../../../src/tunnel/log/index.js';

export type RawTarget =
  | { readonly kind: 'name'; readonly name: Uint8Array; readonly port: number }
  | { readonly kind: 'addr'; readonly ip: Uint8Array; readonly port: number };

const SERVER_TEST = 4;
const ADDRESS_ADDR = 0;
const ADDRESS_NAME = 1;

/** A CBOR head: major type and argument, shortest form. */
function head(major: number, value: number | bigint): Buffer {
  const big = BigInt(value);
  const top = major << 5;
  if (big < 24n) return Buffer.from([top | Number(big)]);
  if (big < 0x100n) return Buffer.from([top | 24, Number(big)]);
  if (big < 0x10000n) {
    const out = Buffer.alloc(3);
    out[0] = top | 25;
    out.writeUInt16BE(Number(big), 1);
    return out;
  }
  if (big < 0x1_0000_0000n) {
    const out = Buffer.alloc(5);
    out[0] = top | 26;
    out.writeUInt32BE(Number(big), 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = top | 27;
  out.writeBigUInt64BE(big, 1);
  return out;
}

const uint = (value: number | bigint): Buffer => head(0, value);
const array = (length: number): Buffer => head(4, length);

export function encodeRawAddress(target: RawTarget): Buffer {
  if (target.kind === 'name') {
    return Buffer.concat([
      array(2),
      uint(ADDRESS_NAME),
      array(2),
      head(3, target.name.length),
      target.name,
      uint(target.port),
    ]);
  }
  const family = target.ip.length === 4 ? 0 : 1;
  return Buffer.concat([
    array(2),
    uint(ADDRESS_ADDR),
    array(1),
    array(2),
    uint(family),
    array(2),
    head(2, target.ip.length),
    target.ip,
    uint(target.port),
  ]);
}

/** `[id, [4, [addr]]]`: `Message<Server::Test>`. */
export function encodeTestBody(id: bigint, target: RawTarget): Buffer {
  return Buffer.concat([array(2), uint(id), array(2), uint(SERVER_TEST), array(1), encodeRawAddress(target)]);
}

/** `[id, {0: addr}]` or `[id, {0: addr, 1: true}]`: `Message<Connect>`. */
export function encodeConnectBody(id: bigint, target: RawTarget, halfClose: boolean): Buffer {
  return Buffer.concat([
    array(2),
    uint(id),
    head(5, halfClose ? 2 : 1),
    uint(0),
    encodeRawAddress(target),
    ...(halfClose ? [uint(1), Buffer.from([0xf5])] : []),
  ]);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The name's text, or null when its bytes are not UTF-8 (no agent can decode such a message). */
export function nameText(target: RawTarget): string | null {
  if (target.kind !== 'name') return null;
  try {
    return UTF8.decode(target.name);
  } catch {
    return null;
  }
}

/** For reports: `name "…":port` (JSON-escaped, bounded) or the socket address. */
export function describeRawTarget(target: RawTarget): string {
  if (target.kind === 'addr')
    return `addr ${target.ip.length === 4 ? `${formatIpv4(target.ip)}:${target.port}` : `[${formatIpv6(target.ip)}]:${target.port}`}`;
  const text = nameText(target);
  const shown = text === null ? `bytes ${Buffer.from(target.name).toString('hex')}` : JSON.stringify(text);
  return `name ${loggableText(shown, NAME_TEXT_LIMIT)}:${target.port}`;
}

export function nameTarget(name: string, port: number): RawTarget {
  return { kind: 'name', name: Buffer.from(name, 'utf8'), port };
}

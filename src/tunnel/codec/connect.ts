/**
 * `Message<Connect>` (PROTOCOL.md §5.4): the first and only frame the gateway sends on a data
 * stream. `Connect` is map-encoded: `{0: address, 1: use_half_close}`, None omitted.
 */
import { type Address, decodeAddress, encodeAddress } from './address.js';
import type { CborReader } from './cbor-reader.js';
import type { CborWriter } from './cbor-writer.js';
import { KEEP_FIELD, decodeMapFields, decodeOptionField, requireField } from './derived-decoding.js';
import { type Message, decodeMessage, encodeMessage } from './message.js';

export interface Connect {
  readonly addr: Address;
  /**
   * `Option<bool>` as sent: null = field absent (or null), which means full close, as does
   * `false`. It stays tri-state so that `{1: false}` and an absent key re-encode to their own
   * bytes; use `usesHalfClose` for the behaviour.
   */
  readonly useHalfClose: boolean | null;
}

/** Whether the agent copies in half-close mode (absent and false both mean full close). */
export function usesHalfClose(connect: Connect): boolean {
  return connect.useHalfClose === true;
}

/** Throws RangeError for an address or id the wire cannot carry. */
export function encodeConnectMessage(message: Message<Connect>): Uint8Array {
  return encodeMessage(message, encodeConnect);
}

/** Decodes a data stream's first frame body; throws only ProtocolError. */
export function decodeConnectMessage(body: Uint8Array): Message<Connect> {
  return decodeMessage(body, 'Message<Connect>', decodeConnect);
}

function encodeConnect(writer: CborWriter, connect: Connect): void {
  writer.map(connect.useHalfClose === null ? 1 : 2);
  encodeAddress(writer.uint(0, 'key'), connect.addr);
  if (connect.useHalfClose !== null) writer.uint(1, 'key').bool(connect.useHalfClose);
}

function decodeConnect(reader: CborReader): Connect {
  const start = reader.position;
  let addr: Address | undefined;
  let useHalfClose: boolean | null = null;
  decodeMapFields(reader, 'Connect', (key) => {
    if (key === 0) {
      addr = decodeAddress(reader);
    } else if (key === 1) {
      const value = decodeOptionField(reader, () => reader.bool('Connect use_half_close'));
      if (value !== KEEP_FIELD) useHalfClose = value;
    } else {
      reader.skip();
    }
  });
  return { addr: requireField(addr, 'Connect addr (key 0)', start), useHalfClose };
}

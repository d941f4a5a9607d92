/** What a gateway does on a data stream, written with the codec: Connect out, one reply back. */
import type { Address, StreamReply } from '../../../../src/tunnel/codec/index.js';
import {
  decodeStreamReplyMessage,
  encodeConnectMessage,
  encodeFrame,
  freshMessageId,
  readFrame,
} from '../../../../src/tunnel/codec/index.js';
import type { Session } from '../../../../src/tunnel/mux/session.js';
import type { MuxStream } from '../../../../src/tunnel/mux/stream.js';

export function addr(ip: string, port: number): Address {
  return ip.includes(':') ? { kind: 'addr', family: 6, ip, port } : { kind: 'addr', family: 4, ip, port };
}

export function name(host: string, port: number): Address {
  return { kind: 'name', name: host, port };
}

export interface OpenedStream {
  readonly stream: MuxStream;
  /** The agent's reply, or null when the stream ended or was reset without one. */
  readonly reply: StreamReply | null;
  /** Set when the stream failed instead of replying. */
  readonly failure: Error | null;
}

/** Opens a stream, sends `Connect` (plus `extra` raw bytes in the same write) and reads the reply. */
export async function connectStream(
  gateway: Session,
  address: Address,
  options: { halfClose?: boolean | null; extra?: Buffer } = {},
): Promise<OpenedStream> {
  const stream = gateway.open();
  stream.on('error', () => undefined);
  const frame = encodeFrame(
    encodeConnectMessage({ id: freshMessageId(), data: { addr: address, useHalfClose: options.halfClose ?? null } }),
  );
  stream.write(options.extra === undefined ? frame : Buffer.concat([frame, options.extra]));
  try {
    const body = await readFrame(stream);
    if (body === null) return { stream, reply: null, failure: null };
    return { stream, reply: decodeStreamReplyMessage(body).data, failure: null };
  } catch (error) {
    return { stream, reply: null, failure: error instanceof Error ? error : new Error(String(error)) };
  }
}

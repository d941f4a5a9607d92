/** What the benchmark's two ends share: the receiver's options and the request/response shape. */
import type { Duplex } from 'node:stream';
import type { MuxConfig } from '../../src/tunnel/mux/config.js';

export interface ReceiverOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly transport: 'bare' | 'mux';
  readonly behaviour: 'sink' | 'respond';
  readonly splitWrites?: boolean;
  readonly mux?: Partial<MuxConfig>;
  /** Leave Nagle on for the bare socket (to show what two writes per message cost). */
  readonly nagle?: boolean;
}

export interface ReceiverReady {
  readonly port: number;
}

export const REQUEST_BYTES = 100;

/** Writes a message as one write, or as a 12-byte header and the rest (two TLS records). */
export function writeMessage(channel: Duplex, message: Buffer, split: boolean): void {
  if (!split) {
    channel.write(message);
    return;
  }
  channel.write(message.subarray(0, 12));
  channel.write(message.subarray(12));
}

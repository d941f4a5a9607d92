/**
 * The control stream (PROTOCOL.md §5.2–5.3, §6): CBOR frames both ways on the one stream the
 * agent opens. Reads are pull-based, one message per call, so an agent that is busy (connecting,
 * or blocked on a send as the reference's loop is) leaves the gateway's messages in the stream,
 * whose window then stops the gateway: nothing is buffered without bound.
 */
import type { ClientMessage, Message, MessageId, ServerMessage } from '../codec/index.js';
import {
  FrameReader,
  decodeServerMessage,
  encodeClientMessage,
  freshMessageId,
  isProtocolError,
  writeFrame,
} from '../codec/index.js';
import { MuxError, type MuxStream } from '../mux/index.js';
import { describeError } from './connect-error.js';

export type ControlRead =
  | { readonly kind: 'message'; readonly message: Message<ServerMessage> }
  /** The gateway closed the control stream at a frame boundary. */
  | { readonly kind: 'end' }
  /** I/O error, bad frame, undecodable message: the reference's `error reading from server`. */
  | { readonly kind: 'error'; readonly error: string };

const SESSION_ENDED: ReadonlySet<string> = new Set(['MUX_SESSION_CLOSED', 'MUX_REMOTE_GO_AWAY', 'MUX_CONNECTION_LOST']);

export class ControlChannel {
  readonly stream: MuxStream;
  readonly #reader: FrameReader;

  constructor(stream: MuxStream) {
    this.stream = stream;
    this.#reader = new FrameReader(stream);
    // Errors surface through reads and writes; the listener keeps them from being uncaught.
    stream.on('error', ignore);
  }

  /** Writes one message with a fresh id; resolves with that id once the stream took it. */
  async send(data: ClientMessage): Promise<MessageId> {
    const id = freshMessageId();
    await writeFrame(this.stream, encodeClientMessage({ id, data }));
    return id;
  }

  /** The next message; never rejects. */
  async read(): Promise<ControlRead> {
    let frame: Buffer | null;
    try {
      frame = await this.#reader.read();
    } catch (error) {
      // yamux 0.10 gives the reference a plain end of stream when the connection goes (GoAway,
      // TCP close): `control channel closed by server`, not a read error.
      if (error instanceof MuxError && SESSION_ENDED.has(error.code)) return { kind: 'end' };
      return {
        kind: 'error',
        error: isProtocolError(error) ? `cbor error: ${error.message}` : `i/o error: ${describeError(error)}`,
      };
    }
    if (frame === null) return { kind: 'end' };
    try {
      return { kind: 'message', message: decodeServerMessage(frame) };
    } catch (error) {
      return { kind: 'error', error: `cbor error: ${describeError(error)}` };
    }
  }
}

function ignore(): void {
  // deliberately empty
}

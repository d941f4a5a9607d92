/**
 * One connection to the gateway after TLS: the yamux client session over the TLS socket, the
 * control stream (stream 1, opened by us, SYN riding on the Hello frame) and the data streams
 * the gateway opens. Connections are numbered (1, 2, … per engine) so that streams and UI rows
 * can say which one carries them; after SwitchToNewConnection the old one is `draining`.
 */
import type { TLSSocket } from 'node:tls';
import type { ClientMessage } from '../codec/index.js';
import { Session, type MuxConfig, type MuxStream } from '../mux/index.js';
import { abortable } from './abortable.js';
import { ControlChannel } from './control-channel.js';

export interface GatewayConnectionInit {
  readonly id: number;
  readonly socket: TLSSocket;
  readonly remoteAddress: string;
  readonly mux: Partial<MuxConfig>;
  /** A data stream the gateway opened. */
  readonly onStream: (connection: GatewayConnection, stream: MuxStream) => void;
  /** The session ended (GoAway, connection lost, or our own close). */
  readonly onClose: (connection: GatewayConnection, error: Error | undefined) => void;
}

export class GatewayConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly session: Session;
  readonly control: ControlChannel;
  /** After SwitchToNewConnection: its control stream is left alone, its data streams still served. */
  draining = false;
  readonly #closed: Promise<void>;

  private constructor(init: GatewayConnectionInit) {
    this.id = init.id;
    this.remoteAddress = init.remoteAddress;
    this.session = new Session(init.socket, { ...init.mux, mode: 'client' });
    this.#closed = new Promise((resolve) => {
      this.session.once('close', (error) => {
        init.onClose(this, error);
        resolve();
      });
    });
    this.session.on('stream', (stream) => {
      init.onStream(this, stream);
    });
    this.control = new ControlChannel(this.session.open());
  }

  /**
   * Sets up the session and writes `hello` on the control stream (the reference's "connected").
   * On failure or abort the session is destroyed before the error is rethrown.
   */
  static async open(
    init: GatewayConnectionInit,
    hello: ClientMessage,
    signal: AbortSignal,
  ): Promise<GatewayConnection> {
    const connection = new GatewayConnection(init);
    try {
      await abortable(connection.control.send(hello), signal);
      return connection;
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  get closed(): boolean {
    return this.session.closed;
  }

  /** Resolves once the session is over. */
  whenClosed(): Promise<void> {
    return this.#closed;
  }

  /** Graceful: GoAway(0), TLS close, bounded by the mux's close timeout (5 s). Never rejects. */
  async close(): Promise<void> {
    await this.session.close();
  }

  /** Abrupt: the socket is destroyed at once. */
  destroy(): void {
    this.session.destroy();
  }
}

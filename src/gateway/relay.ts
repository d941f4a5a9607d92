/**
 * Copies bytes between a client socket (a route's accepted TCP connection, opened with
 * `allowHalfOpen`) and a data stream, with backpressure both ways, in the close mode the Connect
 * asked for (§7.5, §9.8):
 *
 * - half-close: each direction runs to its end on its own. Client EOF → FIN on the stream (the
 *   agent then shuts down the upstream's write side, and the upstream may still answer); stream
 *   EOF → TCP FIN to the client. Done when both directions are.
 * - full close: the agent ends the whole transfer as soon as either direction ends. Client EOF →
 *   FIN on the stream, and the agent's FIN follows; stream EOF → FIN to the client and FIN on
 *   the stream at once (whatever the client still sends would be ignored by the agent).
 *
 * In both modes the relay is done when both writable sides have finished; then both are
 * destroyed. An error, a reset, or a side closing early aborts the other side (RST on the
 * stream, TCP reset to the client), so a failure never looks like a clean end.
 *
 * Nagle is off on the client socket (as on the agent's target sockets and the mux connection):
 * a response the agent relays in several pieces (PostgreSQL writes one message at a time) must
 * not wait for the client's delayed ACK between them.
 *
 * One `Relay` object per connection holds the state and its listeners; each direction is a
 * 'data' listener that writes on and pauses its source while the destination is full (two
 * `pipe()`s would add a dozen closures and a state per direction), and the byte counts are the
 * socket's own counters.
 */
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { MuxStream } from '../tunnel/mux/index.js';

export interface RelayResult {
  /** Bytes from the client to the agent. */
  readonly bytesUp: number;
  /** Bytes from the agent to the client. */
  readonly bytesDown: number;
  /** The first error on either side, if the relay was aborted. */
  readonly error: Error | null;
}

export function relay(socket: Socket, stream: MuxStream, halfClose: boolean): Promise<RelayResult> {
  return new Promise((resolve) => {
    new Relay(socket, stream, halfClose, resolve).start();
  });
}

/** Writes `chunk` to `to`; when `to` is full, pauses `from` until `to` drains. */
function forward(from: Readable, to: Writable, chunk: Buffer): void {
  if (!to.write(chunk)) {
    from.pause();
    to.once('drain', () => from.resume());
  }
}

class Relay {
  private failure: Error | null = null;
  private settled = false;
  /** The client socket is paused until the stream has queued what it holds. */
  private clientPaused = false;

  constructor(
    private readonly socket: Socket,
    private readonly stream: MuxStream,
    private readonly halfClose: boolean,
    private readonly resolve: (result: RelayResult) => void,
  ) {}

  start(): void {
    const { socket, stream } = this;
    socket.setNoDelay(true);
    socket.on('error', this.fail);
    stream.on('error', this.fail);
    socket.on('finish', this.maybeDone);
    stream.on('finish', this.maybeDone);
    socket.on('close', this.onSocketClose);
    stream.on('close', this.onStreamClose);
    socket.on('end', this.onClientEnd);
    stream.on('end', this.onStreamEnd);
    socket.on('data', this.toStream);
    stream.on('data', this.toClient);
    socket.resume();
    stream.resume();
  }

  /**
   * Client → agent. The client socket is paused as soon as the stream cannot queue a chunk at
   * once (no credit, or the connection's write queue is full: an agent that stopped reading),
   * and resumed once it has: a stream then holds the one chunk in hand (plus what the socket
   * reads before it stops) instead of filling its writable buffer (128 KiB) behind it.
   */
  private readonly toStream = (chunk: Buffer): void => {
    const { stream } = this;
    stream.write(chunk, this.onChunkQueued);
    if (!this.clientPaused && stream.bufferedOutbound > 0) {
      this.clientPaused = true;
      this.socket.pause();
    }
  };

  private readonly onChunkQueued = (error?: Error | null): void => {
    if (!this.clientPaused || this.stream.bufferedOutbound > 0) return;
    this.clientPaused = false;
    if ((error === null || error === undefined) && !this.settled) this.socket.resume();
  };

  private readonly toClient = (chunk: Buffer): void => {
    forward(this.stream, this.socket, chunk);
  };

  /** The client's FIN travels on as FIN on the stream. */
  private readonly onClientEnd = (): void => {
    if (!this.stream.writableEnded) this.stream.end();
  };

  /** The agent's FIN travels on to the client; in full-close mode it also ends our side of the stream. */
  private readonly onStreamEnd = (): void => {
    if (!this.socket.writableEnded) this.socket.end();
    if (!this.halfClose) {
      this.socket.off('data', this.toStream);
      if (!this.stream.writableEnded) this.stream.end();
    }
  };

  private readonly onSocketClose = (): void => {
    if (this.settled) return;
    if (this.socket.readableEnded && this.socket.writableFinished) this.maybeDone();
    else this.fail(new Error('the client connection closed before the transfer ended'));
  };

  private readonly onStreamClose = (): void => {
    if (this.settled) return;
    if (this.stream.readableEnded && this.stream.writableFinished) this.maybeDone();
    else this.fail(new Error('the data stream closed before the transfer ended'));
  };

  private readonly maybeDone = (): void => {
    if (this.socket.writableFinished && this.stream.writableFinished) this.finish();
  };

  private readonly fail = (error: Error): void => {
    this.failure ??= error;
    this.finish();
  };

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    const { socket, stream } = this;
    socket.off('data', this.toStream);
    stream.off('data', this.toClient);
    if (this.failure === null) {
      stream.destroy();
      socket.destroy();
    } else {
      stream.reset();
      socket.resetAndDestroy();
    }
    this.resolve({ bytesUp: socket.bytesRead, bytesDown: socket.bytesWritten, error: this.failure });
  }
}

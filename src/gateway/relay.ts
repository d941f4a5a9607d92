/**
 * Copies bytes between a client socket (a route's accepted TCP connection, opened with
 * `allowHalfOpen`) and a data stream, with backpressure both ways (`pipe`), in the close mode
 * the Connect asked for (§7.5, §9.8):
 *
 * - half-close: each direction runs to its end on its own. Client EOF → FIN on the stream (the
 *   agent then shuts down the upstream's write side, and the upstream may still answer); stream
 *   EOF → TCP FIN to the client. Done when both directions are.
 * - full close: the agent ends the whole transfer as soon as either direction ends. Client EOF →
 *   FIN on the stream, and the agent's FIN follows; stream EOF → FIN to the client and FIN on
 *   the stream at once (whatever the client still sends would be ignored by the agent).
 *
 * In both modes the relay is done when both writable sides have finished; then both are
 * destroyed.
 *
 * Nagle is off on the client socket (as on the agent's target sockets and the mux connection):
 * a response the agent relays in several pieces (PostgreSQL writes one message at a time) must
 * not wait for the client's delayed ACK between them. An error, a reset, or a side closing early aborts the other side (RST on the
 * stream, TCP reset to the client), so a failure never looks like a clean end.
 */
import type { Socket } from 'node:net';
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
    let bytesUp = 0;
    let bytesDown = 0;
    let failure: Error | null = null;
    let settled = false;

    const countUp = (chunk: Buffer): void => {
      bytesUp += chunk.length;
    };
    const countDown = (chunk: Buffer): void => {
      bytesDown += chunk.length;
    };

    const finish = (): void => {
      if (settled) return;
      settled = true;
      socket.off('data', countUp);
      stream.off('data', countDown);
      socket.unpipe(stream);
      stream.unpipe(socket);
      if (failure === null) {
        stream.destroy();
        socket.destroy();
      } else {
        stream.reset();
        socket.resetAndDestroy();
      }
      resolve({ bytesUp, bytesDown, error: failure });
    };

    const fail = (error: Error): void => {
      failure ??= error;
      finish();
    };

    const maybeDone = (): void => {
      if (socket.writableFinished && stream.writableFinished) finish();
    };

    socket.setNoDelay(true);
    socket.on('data', countUp);
    stream.on('data', countDown);
    socket.on('error', fail);
    stream.on('error', fail);
    socket.on('finish', maybeDone);
    stream.on('finish', maybeDone);
    socket.on('close', () => {
      if (settled) return;
      if (socket.readableEnded && socket.writableFinished) maybeDone();
      else fail(new Error('the client connection closed before the transfer ended'));
    });
    stream.on('close', () => {
      if (settled) return;
      if (stream.readableEnded && stream.writableFinished) maybeDone();
      else fail(new Error('the data stream closed before the transfer ended'));
    });
    if (!halfClose) {
      stream.on('end', () => {
        socket.unpipe(stream);
        if (!stream.writableEnded) stream.end();
      });
    }

    // pipe() ends the destination when the source ends, so each FIN travels on.
    socket.pipe(stream);
    stream.pipe(socket);
  });
}

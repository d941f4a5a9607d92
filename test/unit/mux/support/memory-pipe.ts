/**
 * An in-memory, socket-like connection for mux tests, with fault injection: each direction can
 * cut chunks into pieces (down to single bytes), and delivery honours backpressure (a side that
 * stops reading makes the other side's `write()` return false), like a TCP socket.
 */
import { Duplex } from 'node:stream';

export interface PipeEndOptions {
  /** Cuts every written chunk into pieces of at most this many bytes on delivery. */
  readonly pieceBytes?: number;
  /** Readable buffer of the receiving side before it pushes back. */
  readonly highWaterMark?: number;
}

export class MemorySocket extends Duplex {
  peer: MemorySocket | undefined;
  /** Bytes this side has written. */
  bytesSent = 0;
  private blockedWrite: (() => void) | undefined;

  constructor(private readonly options: PipeEndOptions = {}) {
    super({ allowHalfOpen: true, readableHighWaterMark: options.highWaterMark ?? 64 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) {
      callback(new Error('memory socket: peer is gone'));
      return;
    }
    this.bytesSent += chunk.length;
    const size = this.options.pieceBytes ?? chunk.length;
    // Deliver asynchronously, as a real socket does.
    setImmediate(() => {
      if (peer.destroyed) {
        callback();
        return;
      }
      let open = true;
      for (let offset = 0; offset < chunk.length; offset += size)
        open = peer.push(chunk.subarray(offset, offset + size));
      if (open) callback();
      else
        peer.blockedWrite = () => {
          callback();
        };
    });
  }

  override _read(): void {
    const resume = this.blockedWrite;
    this.blockedWrite = undefined;
    resume?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    setImmediate(() => {
      if (peer && !peer.destroyed) peer.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    // Like a TCP reset: the other side's connection goes away too.
    if (peer && !peer.destroyed) setImmediate(() => peer.destroy());
    const resume = this.blockedWrite;
    this.blockedWrite = undefined;
    resume?.();
    callback(error);
  }
}

/** Two connected in-memory sockets; options apply to what each side *receives*. */
export function memoryPipe(a: PipeEndOptions = {}, b: PipeEndOptions = {}): [MemorySocket, MemorySocket] {
  // A side's `pieceBytes` governs delivery of what it writes, so swap: options describe reception.
  const left = new MemorySocket({ pieceBytes: b.pieceBytes, highWaterMark: a.highWaterMark });
  const right = new MemorySocket({ pieceBytes: a.pieceBytes, highWaterMark: b.highWaterMark });
  left.peer = right;
  right.peer = left;
  return [left, right];
}

/**
 * Joins consecutive Data body pieces of one stream that arrived in the same socket chunk, so
 * that the stream's consumer gets one buffer (one write to its target socket) where it would get
 * two.
 *
 * When a sender's frames do not line up with TLS records (the tail of each 64 KiB socket read
 * is a short frame; yamux 0.10 writes header and body as separate records), a record holds the
 * end of one frame, the next frame's 12-byte header and the start of its body. The two pieces
 * are views of the same chunk with only that header between them: moving the shorter piece by
 * 12 bytes over the (already parsed) header makes them one view, at the cost of copying at most
 * half a record. The chunk is a fresh buffer the socket handed to the session alone, and nothing
 * else points into the range that moves. Pieces from different chunks are never copied together:
 * the copy and the garbage would cost more than the write they save (measured).
 */
import { HEADER_LENGTH } from './frame-header.js';

export interface PieceTarget {
  onData(piece: Buffer): void;
}

export class PieceJoiner {
  private held: Buffer | undefined;
  private target: PieceTarget | undefined;

  /** The stream whose piece is held back, if any. */
  get heldFor(): PieceTarget | undefined {
    return this.target;
  }

  /** Holds `piece` for `target`, joined to the piece held before it if the two are adjacent. */
  add(target: PieceTarget, piece: Buffer): void {
    const held = this.held;
    if (held !== undefined) {
      if (
        this.target === target &&
        piece.buffer === held.buffer &&
        piece.byteOffset === held.byteOffset + held.length + HEADER_LENGTH
      ) {
        this.held = join(held, piece);
        return;
      }
      this.flush();
    }
    this.held = piece;
    this.target = target;
  }

  /** Delivers the held piece. */
  flush(): void {
    const held = this.held;
    const target = this.target;
    this.held = undefined;
    this.target = undefined;
    if (held !== undefined) target?.onData(held);
  }

  /** Drops the held piece (the session is ending). */
  clear(): void {
    this.held = undefined;
    this.target = undefined;
  }
}

/** `a`, a 12-byte header and `b` lie back to back in one buffer: one view of `a` then `b`. */
function join(a: Buffer, b: Buffer): Buffer {
  const whole = Buffer.from(a.buffer, a.byteOffset, a.length + HEADER_LENGTH + b.length);
  if (a.length <= b.length) {
    whole.copy(whole, HEADER_LENGTH, 0, a.length);
    return whole.subarray(HEADER_LENGTH);
  }
  whole.copy(whole, a.length, a.length + HEADER_LENGTH);
  return whole.subarray(0, a.length + b.length);
}

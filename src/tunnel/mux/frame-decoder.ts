/**
 * Incremental frame parser: turns socket chunks, split anywhere, into frame events.
 *
 * Headers are read straight from the chunk when whole (only a header split across chunks is
 * copied, into a 12-byte scratch buffer). Data bodies are never reassembled: each piece is handed
 * on as a view of the chunk it arrived in, since a stream is a byte stream anyway.
 */
import { MuxProtocolError } from './errors.js';
import { FrameType, HEADER_LENGTH, readFrameHeader, type FrameHeader } from './frame-header.js';

export interface FrameSink {
  /**
   * Every frame's header, in order. For a Data frame it comes before the body pieces. `header`
   * is reused for the next frame: read it, do not keep it.
   */
  onFrame(header: Readonly<FrameHeader>): void;
  /** The next piece of the current Data frame's body (a view of the socket chunk). */
  onDataPiece(piece: Buffer): void;
  /** The current Data frame's body is complete (also called for an empty body). */
  onDataEnd(): void;
  /**
   * Asked before each frame's header: false stops parsing there, and `push` returns how far it
   * got (the session stops reading while its writer holds too much, and pushes the rest later).
   */
  readMore(): boolean;
}

export class FrameDecoder {
  private readonly header: FrameHeader = { type: FrameType.Data, flags: 0, streamId: 0, length: 0 };
  private readonly scratch = Buffer.alloc(HEADER_LENGTH);
  private scratchLength = 0;
  private bodyRemaining = 0;
  private stopped = false;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxDataBody: number,
  ) {}

  /** Bytes of an incomplete header or body held back, waiting for the next chunk. */
  get pendingBytes(): number {
    return this.scratchLength + this.bodyRemaining;
  }

  /** Ignore everything from now on (the session is closing). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Parses `chunk` up to its end, or up to the first frame boundary at which the sink's
   * `readMore()` says no; returns the bytes consumed. Throws `MuxProtocolError` on a malformed
   * header or an oversized body.
   */
  push(chunk: Buffer): number {
    const end = chunk.length;
    let offset = 0;
    while (offset < end && !this.stopped) {
      if (this.bodyRemaining === 0 && this.scratchLength === 0 && !this.sink.readMore()) return offset;
      if (this.bodyRemaining > 0) {
        const take = Math.min(this.bodyRemaining, end - offset);
        this.bodyRemaining -= take;
        this.sink.onDataPiece(chunk.subarray(offset, offset + take));
        offset += take;
        if (this.bodyRemaining === 0) this.sink.onDataEnd();
        continue;
      }
      if (this.scratchLength > 0 || end - offset < HEADER_LENGTH) {
        const take = Math.min(HEADER_LENGTH - this.scratchLength, end - offset);
        chunk.copy(this.scratch, this.scratchLength, offset, offset + take);
        this.scratchLength += take;
        offset += take;
        if (this.scratchLength < HEADER_LENGTH) return offset;
        this.scratchLength = 0;
        readFrameHeader(this.scratch, 0, this.header);
      } else {
        readFrameHeader(chunk, offset, this.header);
        offset += HEADER_LENGTH;
      }
      this.dispatch();
    }
    return end;
  }

  private dispatch(): void {
    const header = this.header;
    if (header.type !== FrameType.Data) {
      this.sink.onFrame(header);
      return;
    }
    if (header.length > this.maxDataBody) {
      throw new MuxProtocolError(
        `Data frame on stream ${header.streamId} has a ${header.length}-byte body, more than the ${this.maxDataBody} accepted`,
      );
    }
    const length = header.length;
    this.sink.onFrame(header);
    if (this.stopped) return;
    if (length === 0) this.sink.onDataEnd();
    else this.bodyRemaining = length;
  }
}

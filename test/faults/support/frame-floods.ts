/**
 * Floods of raw yamux frames that a hostile peer sends without reading what comes back: the
 * never-reading gateway (against the agents) and the unauthenticated peer (against our gateway)
 * send the same ones.
 */
import { Flag, FrameType } from '../../../src/tunnel/mux/frame-header.js';
import { frame } from '../../unit/mux/support/raw-peer.js';

export interface Flood {
  readonly name: string;
  /** Sent once on each connection before the batches. */
  readonly opening?: Buffer;
  /** The next batch of frames; `next` numbers the streams it opens. */
  batch(next: () => number): Buffer;
}

/** Frames per batch. */
export const FLOOD_BATCH = 500;

function batchOf(make: (i: number) => Buffer, length = FLOOD_BATCH): Buffer {
  return Buffer.concat(Array.from({ length }, (_, i) => make(i)));
}

export const PING_FLOOD: Flood = {
  name: 'Pings',
  batch: () => batchOf((i) => frame(FrameType.Ping, Flag.SYN, 0, i)),
};

export const WINDOW_UPDATE_FLOOD: Flood = {
  name: 'window updates',
  batch: () => batchOf(() => frame(FrameType.WindowUpdate, 0, 1, 1)),
};

export const OPEN_AND_HALF_CLOSE_FLOOD: Flood = {
  name: 'streams opened and half-closed at once',
  batch: (next) => batchOf(() => frame(FrameType.Data, Flag.SYN | Flag.FIN, next(), 0)),
};

export const OPEN_AND_RESET_FLOOD: Flood = {
  name: 'streams opened and reset at once',
  batch: (next) =>
    batchOf(() => {
      const id = next();
      return Buffer.concat([frame(FrameType.Data, Flag.SYN, id, 0), frame(FrameType.Data, Flag.RST, id, 0)]);
    }),
};

/** `count` copies of `frameOf()` in one buffer. */
export function repeatedFrames(frameOf: () => Buffer, count: number): Buffer {
  return batchOf(frameOf, count);
}

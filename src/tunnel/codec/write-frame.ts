/**
 * Writes one frame with a single `write` call (PROTOCOL.md §3: prefix and body together, so a
 * small frame becomes one yamux Data frame) and waits until the stream has taken it.
 */
import type { Writable } from 'node:stream';
import { encodeFrame } from './frame-format.js';

/**
 * Resolves once the stream has handed the frame to its underlying resource (the write
 * callback), so awaiting each call keeps at most one frame queued: natural backpressure.
 * Rejects with the stream's error (e.g. written after end or destroy).
 */
export function writeFrame(writable: Writable, body: Uint8Array): Promise<void> {
  const frame = encodeFrame(body);
  return new Promise((resolve, reject) => {
    writable.write(frame, (error) => {
      if (error === null || error === undefined) resolve();
      else reject(error);
    });
  });
}

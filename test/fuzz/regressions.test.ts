/**
 * Inputs the fuzzer found that once broke an oracle, kept as plain tests so that the exact case
 * stays fixed whatever the fuzzer's generators become.
 */
import { describe, expect, it } from 'vitest';
import { FrameDecoder, ProtocolError } from '../../src/tunnel/codec/index.js';

describe('fuzz regressions: codec FrameDecoder', () => {
  // Found by codec-frame-decoder (seed 1): an empty frame, then an oversized prefix, in one chunk.
  // The decoder threw and the empty frame that completed before the bad prefix was lost.
  it('returns the frames that completed before an oversized prefix, and refuses on the next call', () => {
    const decoder = new FrameDecoder();
    const frames = decoder.push(Uint8Array.from([0, 0, 0, 0, 13, 130, 27, 1]));
    expect(frames.map((f) => f.length)).toEqual([0]);
    expect(() => decoder.push(Uint8Array.of(0))).toThrow(expect.objectContaining({ kind: 'frame-too-large' }));
    expect(() => {
      decoder.end();
    }).toThrow(ProtocolError);
  });

  it('a whole message followed by garbage in the same chunk: the message is delivered, the end refused', () => {
    const decoder = new FrameDecoder();
    const body = Uint8Array.from([0x82, 0x01, 0x82, 0x07, 0x80]); // [1, [7, []]]: Accepted
    const chunk = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body, Buffer.from([0xff, 0xff, 0xff, 0xff])]);
    expect(decoder.push(chunk).map((f) => Buffer.from(f).toString('hex'))).toEqual([Buffer.from(body).toString('hex')]);
    expect(() => {
      decoder.end();
    }).toThrow(expect.objectContaining({ kind: 'frame-too-large' }));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MuxProtocolError } from '../../../src/tunnel/mux/errors.js';
import {
  Flag,
  FrameType,
  HEADER_LENGTH,
  decodeFrameHeader,
  encodeFrameHeader,
  type FrameHeader,
} from '../../../src/tunnel/mux/frame-header.js';
import { YAMUX_VECTOR_NAMES, yamuxVector } from './support/vectors.js';

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const header: fc.Arbitrary<FrameHeader> = fc.record({
  type: fc.constantFrom(FrameType.Data, FrameType.WindowUpdate, FrameType.Ping, FrameType.GoAway),
  flags: fc.integer({ min: 0, max: 0xffff }),
  streamId: u32,
  length: u32,
});

describe('frame header codec', () => {
  it('round-trips every header: decode(encode(h)) = h, in 12 big-endian bytes with version 0', () => {
    fc.assert(
      fc.property(header, (h) => {
        const bytes = encodeFrameHeader(h);
        expect(bytes.length).toBe(HEADER_LENGTH);
        expect(bytes[0]).toBe(0);
        expect(bytes.readUInt32BE(4)).toBe(h.streamId);
        expect(decodeFrameHeader(bytes)).toEqual(h);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes a header at any offset of a larger buffer', () => {
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 20 }), (h, prefix) => {
        const bytes = Buffer.concat([Buffer.from(prefix), encodeFrameHeader(h), Buffer.from([0xff])]);
        expect(decodeFrameHeader(bytes, prefix.length)).toEqual(h);
      }),
    );
  });

  it('rejects a version other than 0 and an unknown frame type as protocol errors', () => {
    fc.assert(
      fc.property(header, fc.integer({ min: 1, max: 255 }), (h, version) => {
        const bytes = encodeFrameHeader(h);
        bytes[0] = version;
        expect(() => decodeFrameHeader(bytes)).toThrow(MuxProtocolError);
      }),
    );
    const unknownType = encodeFrameHeader({ type: FrameType.Data, flags: 0, streamId: 1, length: 0 });
    unknownType[1] = 4;
    expect(() => decodeFrameHeader(unknownType)).toThrow(/unknown frame type 4/);
  });

  it('decodes the headers of every yamux vector to the values PROTOCOL.md describes', () => {
    expect(YAMUX_VECTOR_NAMES).toHaveLength(7);
    expect(decodeFrameHeader(yamuxVector('yamux_control_open_hello'))).toEqual({
      type: FrameType.Data,
      flags: Flag.SYN,
      streamId: 1,
      length: 0x37,
    });
    expect(decodeFrameHeader(yamuxVector('yamux_stream_reply_ok_ack'))).toEqual({
      type: FrameType.Data,
      flags: Flag.ACK,
      streamId: 2,
      length: 0x11,
    });
    expect(decodeFrameHeader(yamuxVector('yamux_fin'))).toEqual({
      type: FrameType.Data,
      flags: Flag.FIN,
      streamId: 2,
      length: 0,
    });
    expect(decodeFrameHeader(yamuxVector('yamux_rst'))).toEqual({
      type: FrameType.Data,
      flags: Flag.RST,
      streamId: 2,
      length: 0,
    });
    expect(decodeFrameHeader(yamuxVector('yamux_window_update'))).toEqual({
      type: FrameType.WindowUpdate,
      flags: 0,
      streamId: 2,
      length: 131072,
    });
    expect(decodeFrameHeader(yamuxVector('yamux_ping_reply'))).toEqual({
      type: FrameType.Ping,
      flags: Flag.ACK,
      streamId: 0,
      length: 0x2a,
    });
    expect(decodeFrameHeader(yamuxVector('yamux_go_away_normal'))).toEqual({
      type: FrameType.GoAway,
      flags: 0,
      streamId: 0,
      length: 0,
    });
  });
});

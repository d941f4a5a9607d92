import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborReader } from '../../../src/tunnel/codec/cbor-reader.js';
import { decodeServerMessage, ProtocolError } from '../../../src/tunnel/codec/index.js';
import { fromHex } from '../../support/vectors.js';
import { cborItem } from './cbor-items.js';

describe('CborReader.skip', () => {
  it('steps over exactly one well-formed item of any shape', () => {
    fc.assert(
      fc.property(cborItem, cborItem, (item, next) => {
        const reader = new CborReader(Uint8Array.from([...item, ...next]));
        reader.skip();
        expect(reader.position).toBe(item.length);
        reader.skip();
        expect(reader.position).toBe(item.length + next.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('fails with end-of-input on every strict prefix of an item', () => {
    fc.assert(
      fc.property(
        cborItem.filter((item) => item.length > 1),
        fc.nat(),
        (item, cut) => {
          const reader = new CborReader(item.subarray(0, 1 + (cut % (item.length - 1))));
          expect(() => {
            reader.skip();
          }).toThrow(expect.objectContaining({ kind: 'end-of-input' }));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('handles nesting a hundred thousand levels deep without recursion', () => {
    const depth = 100_000;
    const definite = Uint8Array.from([...new Array<number>(depth).fill(0x81), 0x00]);
    const indefinite = Uint8Array.from([
      ...new Array<number>(depth).fill(0x9f),
      ...new Array<number>(depth).fill(0xff),
    ]);
    for (const nested of [definite, indefinite]) {
      const reader = new CborReader(nested);
      reader.skip();
      expect(reader.position).toBe(nested.length);
      // The same inside a message, in a position the decoder skips.
      const message = Uint8Array.from([...fromHex('831b0123456789abcdef820780'), ...nested]);
      expect(decodeServerMessage(message).data).toEqual({ type: 'Accepted' });
    }
  });

  it('throws only ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          new CborReader(bytes).skip();
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('CborReader typed reads', () => {
  it('reads u64 values up to 2^64-1 exactly, in any head width', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 0xffff_ffff_ffff_ffffn), (value) => {
        const nine = new Uint8Array(9);
        nine[0] = 0x1b;
        new DataView(nine.buffer).setBigUint64(1, value);
        expect(new CborReader(nine).u64('value')).toBe(value);
      }),
    );
  });

  it('reads text strictly as UTF-8, keeping a byte-order mark', () => {
    expect(new CborReader(fromHex('63efbbbf')).text('t')).toBe('\ufeff');
    expect(() => new CborReader(fromHex('63eda080')).text('t')).toThrow(
      expect.objectContaining({ kind: 'invalid-cbor' }),
    );
  });
});

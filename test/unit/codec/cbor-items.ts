/**
 * A generator of well-formed CBOR data items as raw bytes, including what encoders rarely emit
 * but peers may send: non-shortest heads, indefinite-length strings, arrays and maps, tags,
 * floats and simple values.
 */
import fc from 'fast-check';

/** A head with major type and argument, in the given width (0 = inline when < 24). */
function head(major: number, value: bigint, width: 0 | 1 | 2 | 4 | 8): Uint8Array {
  if (width === 0) return Uint8Array.of((major << 5) | Number(value));
  const info = { 1: 24, 2: 25, 4: 26, 8: 27 }[width];
  const out = new Uint8Array(1 + width);
  out[0] = (major << 5) | info;
  let rest = value;
  for (let i = width; i >= 1; i -= 1) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** A head for `value` in its shortest width or any wider one. */
function anyHead(major: number, value: bigint): fc.Arbitrary<Uint8Array> {
  const widths = ([0, 1, 2, 4, 8] as const).filter((w) => (w === 0 ? value < 24n : value < 1n << BigInt(8 * w)));
  return fc.constantFrom(...widths).map((w) => head(major, value, w));
}

const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

const integer = fc
  .tuple(fc.constantFrom(0, 1), fc.oneof(fc.bigInt(0n, 30n), fc.bigInt(0n, 0xffff_ffff_ffff_ffffn)))
  .chain(([major, value]) => anyHead(major, value));

function stringItem(major: 2 | 3): fc.Arbitrary<Uint8Array> {
  const chunk =
    major === 2
      ? fc.uint8Array({ maxLength: 20 })
      : fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => Uint8Array.from(Buffer.from(s, 'utf8')));
  const definite = chunk.chain((bytes) => anyHead(major, BigInt(bytes.length)).map((h) => concat([h, bytes])));
  const indefinite = fc
    .array(definite, { maxLength: 4 })
    .map((chunks) => concat([Uint8Array.of((major << 5) | 31), ...chunks, Uint8Array.of(0xff)]));
  return fc.oneof(definite, indefinite);
}

const simple = fc.oneof(
  fc.integer({ min: 0xe0, max: 0xf7 }).map((b) => Uint8Array.of(b)),
  fc.integer({ min: 32, max: 255 }).map((b) => Uint8Array.of(0xf8, b)),
  fc.uint8Array({ minLength: 2, maxLength: 2 }).map((b) => concat([Uint8Array.of(0xf9), b])),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => concat([Uint8Array.of(0xfa), b])),
  fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => concat([Uint8Array.of(0xfb), b])),
);

/** One well-formed CBOR data item. */
export const cborItem: fc.Arbitrary<Uint8Array> = fc.letrec<{ item: Uint8Array }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    integer,
    stringItem(2),
    stringItem(3),
    simple,
    fc
      .tuple(
        fc.bigInt(0n, 300n).chain((tag) => anyHead(6, tag)),
        tie('item'),
      )
      .map(([tag, item]) => concat([tag, item])),
    fc
      .array(tie('item'), { maxLength: 5 })
      .chain((items) => anyHead(4, BigInt(items.length)).map((h) => concat([h, ...items]))),
    fc
      .array(tie('item'), { maxLength: 5 })
      .map((items) => concat([Uint8Array.of(0x9f), ...items, Uint8Array.of(0xff)])),
    fc
      .array(fc.tuple(tie('item'), tie('item')), { maxLength: 4 })
      .chain((pairs) => anyHead(5, BigInt(pairs.length)).map((h) => concat([h, ...pairs.flat()]))),
    fc
      .array(fc.tuple(tie('item'), tie('item')), { maxLength: 4 })
      .map((pairs) => concat([Uint8Array.of(0xbf), ...pairs.flat(), Uint8Array.of(0xff)])),
  ),
})).item;

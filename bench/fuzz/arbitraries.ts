/**
 * Input generators for the fuzz targets (fast-check arbitraries): seeds mutated byte by byte,
 * CBOR items built at the byte level (every major type, non-shortest heads, indefinite lengths,
 * tags, floats, stray breaks, invalid UTF-8) and shaped like the protocol's messages, yamux
 * frames with hostile header fields, chunkings, and TOML texts built from the config's keys.
 */
import fc from 'fast-check';

/** u32 values that sit on the limits the decoders check. */
export const INTERESTING_U32: readonly number[] = [
  0, 1, 2, 12, 16_383, 16_384, 16_385, 65_535, 65_536, 262_143, 262_144, 262_145, 524_287, 524_288, 524_289, 1_048_575,
  1_048_576, 1_048_577, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff,
];
const INTERESTING_BYTES: readonly number[] = [
  0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x3f, 0x5f, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xf4, 0xf5,
  0xf6, 0xf7, 0xf9, 0xfa, 0xfb, 0xff,
];

type Edit =
  | { readonly op: 'set'; readonly at: number; readonly value: number }
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly count: number }
  | { readonly op: 'duplicate'; readonly at: number; readonly count: number }
  | { readonly op: 'u32'; readonly at: number; readonly value: number }
  | { readonly op: 'truncate'; readonly at: number }
  | {
      readonly op: 'splice';
      readonly at: number;
      readonly other: number;
      readonly from: number;
      readonly count: number;
    };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    op: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...INTERESTING_BYTES)),
  }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ op: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(...INTERESTING_U32) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('splice' as const),
    at: fc.nat(),
    other: fc.nat(),
    from: fc.nat(),
    count: fc.integer({ min: 1, max: 64 }),
  }),
);

function applyEdits(seed: Uint8Array, edits: readonly Edit[], pool: readonly Uint8Array[]): Buffer {
  let bytes = Buffer.from(seed);
  for (const e of edits) {
    const at = e.at % (bytes.length + 1);
    switch (e.op) {
      case 'set':
        if (at < bytes.length) bytes[at] = e.value;
        break;
      case 'flip':
        if (at < bytes.length) bytes[at] = (bytes[at] ?? 0) ^ (1 << e.bit);
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.count)]);
        break;
      case 'duplicate':
        bytes = Buffer.concat([bytes.subarray(0, at + e.count), bytes.subarray(at)]);
        break;
      case 'u32':
        if (at + 4 <= bytes.length) bytes.writeUInt32BE(e.value, at);
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'splice': {
        const other = pool[e.other % Math.max(1, pool.length)] ?? new Uint8Array(0);
        const from = e.from % (other.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), other.subarray(from, from + e.count), bytes.subarray(at)]);
        break;
      }
    }
  }
  return bytes;
}

/** A seed from `pool` with one to eight edits (byte and bit changes, inserts, deletes, u32 limits, splices of other seeds). */
export function mutated(pool: readonly Uint8Array[]): fc.Arbitrary<Buffer> {
  if (pool.length === 0) return fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
  return fc
    .tuple(fc.constantFrom(...pool), fc.array(edit, { minLength: 1, maxLength: 8 }))
    .map(([seed, edits]) => applyEdits(seed, edits, pool));
}

/** Seeds unchanged now and then, mutated mostly. */
export function fromSeeds(pool: readonly Uint8Array[]): fc.Arbitrary<Buffer> {
  if (pool.length === 0) return mutated(pool);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...pool).map((b) => Buffer.from(b)), weight: 1 },
    { arbitrary: mutated(pool), weight: 9 },
  );
}

// ---- CBOR at the byte level ----------------------------------------------------------------

/** A CBOR head: major type and argument, in the shortest form or a forced width (non-shortest heads are legal CBOR). */
export function cborHead(major: number, value: bigint, width: 0 | 1 | 2 | 4 | 8 | null = null): Buffer {
  const m = major << 5;
  const w = width ?? (value < 24n ? 0 : value < 0x100n ? 1 : value < 0x1_0000n ? 2 : value < 0x1_0000_0000n ? 4 : 8);
  if (w === 0 && value < 24n) return Buffer.from([m | Number(value)]);
  const out = Buffer.alloc(1 + Math.max(w, 1));
  const bytes = Math.max(w, 1);
  out[0] = m | { 1: 24, 2: 25, 4: 26, 8: 27 }[bytes as 1 | 2 | 4 | 8];
  let v = value;
  for (let i = bytes; i >= 1; i -= 1) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const uintValue = fc.oneof(
  fc.bigInt(0n, 30n),
  fc.constantFrom(23n, 24n, 255n, 256n, 65_535n, 65_536n, 0xffff_ffffn, 0x1_0000_0000n, 0xffff_ffff_ffff_ffffn),
  fc.bigInt(0n, 0xffff_ffff_ffff_ffffn),
);
const headWidth = fc.constantFrom<0 | 1 | 2 | 4 | 8 | null>(null, null, null, null, 1, 2, 4, 8);

const cborScalar: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(uintValue, headWidth).map(([v, w]) => cborHead(0, v, w)),
  fc.tuple(uintValue, headWidth).map(([v, w]) => cborHead(1, v, w)),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.concat([cborHead(2, BigInt(b.length)), b])),
  fc
    .constantFrom(4, 16, 32)
    .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
    .map((b) => Buffer.concat([cborHead(2, BigInt(b.length)), b])),
  fc.string({ maxLength: 30 }).map((s) => {
    const b = Buffer.from(s, 'utf8');
    return Buffer.concat([cborHead(3, BigInt(b.length)), b]);
  }),
  // Text with invalid UTF-8.
  fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => Buffer.concat([cborHead(3, BigInt(b.length)), b])),
  fc
    .constantFrom(
      0xf4,
      0xf5,
      0xf6,
      0xf7,
      0xf8,
      0xf9,
      0xfa,
      0xfb,
      0xfc,
      0xfd,
      0xfe,
      0xff,
      0xe0,
      0xf3,
      0x1c,
      0x3e,
      0x5d,
      0x7f,
      0x9f,
      0xbf,
    )
    .map((b) => Buffer.from([b])),
  fc.double().map((d) => {
    const b = Buffer.alloc(9);
    b[0] = 0xfb;
    b.writeDoubleBE(d, 1);
    return b;
  }),
  fc
    .tuple(fc.constantFrom(0xf9, 0xfa), fc.uint8Array({ minLength: 4, maxLength: 4 }))
    .map(([h, b]) => Buffer.concat([Buffer.from([h]), h === 0xf9 ? b.subarray(0, 2) : b])),
  // Lengths that promise more than follows.
  fc
    .tuple(fc.constantFrom(2, 3, 4, 5), fc.constantFrom(0xffff_ffffn, 0xffff_ffff_ffff_ffffn, 1_000_000n))
    .map(([major, len]) => cborHead(major, len)),
);

const { item: cborItemRaw } = fc.letrec<{ item: Buffer; array: Buffer; map: Buffer; message: Buffer }>((tie) => ({
  item: fc.oneof(
    { maxDepth: 6, depthIdentifier: 'cbor' },
    cborScalar,
    cborScalar,
    tie('array'),
    tie('map'),
    tie('message'),
  ),
  array: fc.oneof(
    fc
      .array(tie('item'), { maxLength: 5 })
      .map((items) => Buffer.concat([cborHead(4, BigInt(items.length)), ...items])),
    // Indefinite length, with or without its break.
    fc
      .tuple(fc.array(tie('item'), { maxLength: 4 }), fc.boolean())
      .map(([items, withBreak]) =>
        Buffer.concat([Buffer.from([0x9f]), ...items, withBreak ? Buffer.from([0xff]) : Buffer.alloc(0)]),
      ),
  ),
  map: fc.oneof(
    fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.bigInt(0n, 3n).map((k) => cborHead(0, k)),
            tie('item'),
          ),
          tie('item'),
        ),
        { maxLength: 4 },
      )
      .map((entries) => Buffer.concat([cborHead(5, BigInt(entries.length)), ...entries.flat()])),
    fc
      .array(
        fc.tuple(
          fc.bigInt(0n, 3n).map((k) => cborHead(0, k)),
          tie('item'),
        ),
        { maxLength: 3 },
      )
      .map((entries) => Buffer.concat([Buffer.from([0xbf]), ...entries.flat(), Buffer.from([0xff])])),
    fc.tuple(uintValue, tie('item')).map(([tag, item]) => Buffer.concat([cborHead(6, tag), item])),
  ),
  // `[id, [variant, fields]]` and `[variant, fields]` with small variant indices: the protocol's shapes.
  message: fc.oneof(
    fc
      .tuple(uintValue, fc.bigInt(0n, 9n), fc.array(tie('item'), { maxLength: 3 }))
      .map(([id, variant, fields]) =>
        Buffer.concat([
          cborHead(4, 2n),
          cborHead(0, id),
          cborHead(4, 2n),
          cborHead(0, variant),
          cborHead(4, BigInt(fields.length)),
          ...fields,
        ]),
      ),
    fc
      .tuple(fc.bigInt(0n, 9n), fc.array(tie('item'), { maxLength: 3 }))
      .map(([variant, fields]) =>
        Buffer.concat([cborHead(4, 2n), cborHead(0, variant), cborHead(4, BigInt(fields.length)), ...fields]),
      ),
    fc.tuple(uintValue, tie('item')).map(([id, data]) => Buffer.concat([cborHead(4, 2n), cborHead(0, id), data])),
    fc
      .tuple(uintValue, fc.array(fc.tuple(fc.bigInt(0n, 2n), tie('item')), { maxLength: 2 }))
      .map(([id, entries]) =>
        Buffer.concat([
          cborHead(4, 2n),
          cborHead(0, id),
          cborHead(5, BigInt(entries.length)),
          ...entries.flatMap(([k, v]) => [cborHead(0, k), v]),
        ]),
      ),
  ),
}));

/** One CBOR item (well-formed or not), biased toward the protocol's message shapes. */
export const cborItem: fc.Arbitrary<Buffer> = cborItemRaw;

// ---- framing and chunking ---------------------------------------------------------------------

/** Sizes of the pieces a byte stream arrives in (the last size repeats): one byte at a time up to whole. */
export const chunking: fc.Arbitrary<readonly number[]> = fc.oneof(
  fc.constant([Number.MAX_SAFE_INTEGER]),
  fc.constant([1]),
  fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
  fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 4 }),
);

/** `bytes` cut into pieces of the given sizes (the last size repeats). */
export function cut(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = sizes[Math.min(i, sizes.length - 1)] ?? bytes.length;
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
    i += 1;
  }
  return pieces;
}

/** u32 big-endian length prefix + body. */
export function codecFrame(body: Uint8Array, declared: number = body.length): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(declared >>> 0, 0);
  return Buffer.concat([prefix, body]);
}

/** A stream of minicbor-io frames around generated CBOR items, some with a lying prefix. */
export const codecFrameStream: fc.Arbitrary<Buffer> = fc
  .array(
    fc.tuple(
      cborItem,
      fc.oneof(
        { arbitrary: fc.constant(null), weight: 8 },
        { arbitrary: fc.constantFrom(...INTERESTING_U32), weight: 1 },
      ),
      fc.uint8Array({ maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((frames) =>
    Buffer.concat(
      frames.map(([item, lie, trailing]) => {
        const body = Buffer.concat([item, trailing]);
        return codecFrame(body, lie ?? body.length);
      }),
    ),
  );

/** A yamux frame with arbitrary header fields (version and type mostly valid) and a body that may disagree with its length. */
export const yamuxFrame: fc.Arbitrary<Buffer> = fc
  .record({
    version: fc.oneof(
      { arbitrary: fc.constant(0), weight: 20 },
      { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
    ),
    type: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 20 },
      { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
    ),
    flags: fc.oneof(fc.constantFrom(0, 1, 2, 4, 8, 3, 5, 9, 0xc, 0xf), fc.integer({ min: 0, max: 0xffff })),
    streamId: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(0x7fff_ffff, 0xffff_ffff), fc.nat()),
    length: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(...INTERESTING_U32)),
    body: fc.uint8Array({ maxLength: 96 }),
    honest: fc.boolean(),
  })
  .map((f) => {
    const header = Buffer.alloc(12);
    header[0] = f.version;
    header[1] = f.type;
    header.writeUInt16BE(f.flags, 2);
    header.writeUInt32BE(f.streamId >>> 0, 4);
    const length = f.type === 0 && f.honest ? f.body.length : f.length;
    header.writeUInt32BE(length >>> 0, 8);
    return Buffer.concat([header, f.type === 0 ? f.body : Buffer.alloc(0)]);
  });

// ---- TOML --------------------------------------------------------------------------------------

const TOML_KEYS = [
  'secret-key',
  'connect-timeout',
  'ping-frequency',
  'allowed-addresses',
  'server',
  'host',
  'port',
  'trust',
  'Secret-Key',
  'server.host',
  'server.port',
  '"server".port',
  'unknown',
];

const DURATIONS = [
  '30s',
  '0',
  '00',
  '1m 30s',
  '1 0s',
  '1.5s',
  '.5s',
  '-1s',
  '500ms',
  '1µs',
  '18446744073709551615s',
  '1y',
  '1M',
  '99999999999999999999ns',
  '1s 1s',
  'ms',
  ' ',
  '',
  '1h1h1h',
];
const ALLOWLIST_TEXTS = [
  '10.0.0.0/8',
  '010.0.0.1/08',
  '0.0.0.0/0',
  '::/0',
  '*.',
  '*.example.com',
  'db.internal',
  '::ffff:0:0/96',
  '1:2:3:4:5:6:7::8/128',
  '1.2.3.4',
  '10.0.0.0/33',
  '10.0.0.0/008',
  '*.*.com',
  'a..b',
  'example.com.',
  '1.2.3.4::/96',
  'fe80::1%eth0/64',
  '0001::/16',
  '00001::/16',
  '::/0129',
  'xn--bcher-kva.example',
  'bücher.example',
  '_',
  '-a.com',
  'a'.repeat(64),
  `${'a.'.repeat(127)}a`,
];
const HOSTS = [
  'localhost',
  'gateway.eu.cluvio.com',
  '127.0.0.1',
  '::1',
  '',
  'a..b',
  'example.com.',
  'bücher',
  '1.2.3.4.5',
  'x'.repeat(300),
];
const PORTS = [
  '443',
  '"443"',
  '"+4997"',
  'true',
  '4998.6',
  '70000',
  '-1',
  '"abc"',
  '0',
  '65535',
  '65536',
  '1e3',
  'inf',
  'nan',
  '0x1bb',
];

const tomlString = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 20 }).map((s) => `'${s.replace(/['\n\r]/g, '')}'`),
  fc.string({ maxLength: 40 }).map((s) => `'''${s.replace(/'''/g, '')}'''`),
  fc.string({ maxLength: 40 }).map((s) => `"""${s.replace(/"""/g, '')}"""`),
);
const tomlValue: fc.Arbitrary<string> = fc.oneof(
  tomlString,
  fc.constantFrom(...DURATIONS).map((d) => JSON.stringify(d)),
  fc.constantFrom(...PORTS),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...ALLOWLIST_TEXTS).map((t) => JSON.stringify(t)),
        tomlString,
        fc.constantFrom('1', 'true', '[]', '{}'),
      ),
      { maxLength: 4 },
    )
    .map((items) => `[${items.join(', ')}]`),
  fc.constantFrom(
    '1979-05-27T07:32:00Z',
    '{ host = "localhost" }',
    '[[1], [2]]',
    'true',
    '1.0',
    '-0',
    '+inf',
    '0o777',
    '1_000',
  ),
);

/** A TOML-ish document: known keys with hostile values, tables, duplicates and syntax debris. */
export const tomlDocument: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...TOML_KEYS), tomlValue).map(([k, v]) => `${k} = ${v}`),
      fc.constantFrom(
        '[server]',
        '[[server]]',
        '[server.extra]',
        '[ server ]',
        '[]',
        '#',
        '=',
        '"',
        '[',
        'server = {',
        '',
      ),
      fc.constantFrom(...HOSTS).map((h) => `host = ${JSON.stringify(h)}`),
      fc.constantFrom(...ALLOWLIST_TEXTS).map((t) => `allowed-addresses = [${JSON.stringify(t)}]`),
      fc.constantFrom(...DURATIONS).map((d) => `ping-frequency = ${JSON.stringify(d)}`),
    ),
    { maxLength: 10 },
  )
  .map((lines) => lines.join('\n'));

const TEXT_SNIPPETS = [
  '\n[server]\n',
  '"',
  "'''",
  '\\u0000',
  '\\',
  '=',
  '[[',
  ']]',
  '#',
  '\r\n',
  '\t',
  '\u0000',
  '\ufeff',
  'secret-key = ',
  'port = 70000\n',
  'host = "127.0.0.1"\n',
  '\n',
  '{',
  '}',
  ',',
];

/** A text seed with a few character-level edits (insert a snippet, delete, duplicate). */
export function mutatedText(pool: readonly string[]): fc.Arbitrary<string> {
  if (pool.length === 0) return fc.string();
  const textEdit = fc.oneof(
    fc.tuple(
      fc.constant('insert' as const),
      fc.nat(),
      fc.oneof(fc.constantFrom(...TEXT_SNIPPETS), fc.string({ maxLength: 8 })),
    ),
    fc.tuple(fc.constant('delete' as const), fc.nat(), fc.integer({ min: 1, max: 40 }).map(String)),
    fc.tuple(fc.constant('duplicate' as const), fc.nat(), fc.integer({ min: 1, max: 80 }).map(String)),
  );
  return fc.tuple(fc.constantFrom(...pool), fc.array(textEdit, { minLength: 1, maxLength: 5 })).map(([seed, edits]) => {
    let text = seed;
    for (const [op, rawAt, arg] of edits) {
      const at = rawAt % (text.length + 1);
      if (op === 'insert') text = text.slice(0, at) + arg + text.slice(at);
      else if (op === 'delete') text = text.slice(0, at) + text.slice(at + Number(arg));
      else text = text.slice(0, at + Number(arg)) + text.slice(at);
    }
    return text;
  });
}

/**
 * The image files the icons ship as, written with Node alone (a few dozen lines each, so no
 * image library): PNG (RGBA, 8 bit), Windows ICO (one entry per size: 32-bit BMP for the small
 * tray sizes, which every Windows version reads, PNG for 256 px as Windows Vista and later
 * expect) and macOS ICNS (PNG entries, macOS 10.7 and later). Readers for the same formats let
 * the tests check what was written.
 */
import { deflateSync, inflateSync } from 'node:zlib';

/** A square RGBA image, rows top to bottom, 4 bytes per pixel (not premultiplied). */
export interface RgbaImage {
  readonly size: number;
  readonly rgba: Buffer;
}

// ---- PNG --------------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function encodePng({ size, rgba }: RgbaImage): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const stride = size * 4;
  const raw = Buffer.alloc(size * (stride + 1));
  for (let y = 0; y < size; y += 1) rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride); // filter 0
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Reads back a PNG this module wrote (RGBA, 8 bit, filter 0 on every row). */
export function decodePng(bytes: Buffer): RgbaImage {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  const size = bytes.readUInt32BE(16);
  if (bytes.readUInt32BE(20) !== size || bytes[24] !== 8 || bytes[25] !== 6) throw new Error('not a square RGBA PNG');
  const idat: Buffer[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = size * 4;
  const rgba = Buffer.alloc(size * stride);
  for (let y = 0; y < size; y += 1) {
    if (raw[y * (stride + 1)] !== 0) throw new Error('unsupported PNG filter');
    raw.copy(rgba, y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  }
  return { size, rgba };
}

// ---- ICO --------------------------------------------------------------------------------------

/** A 32-bit BMP icon entry: BITMAPINFOHEADER, BGRA rows bottom-up, then the 1-bit AND mask. */
function bmpIconEntry({ size, rgba }: RgbaImage): Buffer {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour rows plus mask rows
  header.writeUInt16LE(1, 12); // planes
  header.writeUInt16LE(32, 14); // bits per pixel
  const pixels = Buffer.alloc(size * size * 4);
  const maskStride = Math.ceil(size / 32) * 4;
  const mask = Buffer.alloc(maskStride * size);
  for (let y = 0; y < size; y += 1) {
    const row = size - 1 - y;
    for (let x = 0; x < size; x += 1) {
      const from = (y * size + x) * 4;
      const to = (row * size + x) * 4;
      pixels[to] = rgba[from + 2] ?? 0;
      pixels[to + 1] = rgba[from + 1] ?? 0;
      pixels[to + 2] = rgba[from] ?? 0;
      pixels[to + 3] = rgba[from + 3] ?? 0;
      // The AND mask marks fully transparent pixels, for readers that ignore the alpha channel.
      if (rgba[from + 3] === 0)
        mask[row * maskStride + (x >> 3)] = (mask[row * maskStride + (x >> 3)] ?? 0) | (0x80 >> (x & 7));
    }
  }
  return Buffer.concat([header, pixels, mask]);
}

/** Images of 256 px and more go in as PNG, smaller ones as BMP. */
export function encodeIco(images: readonly RgbaImage[]): Buffer {
  const entries = images.map((image) => (image.size >= 256 ? encodePng(image) : bmpIconEntry(image)));
  const directory = Buffer.alloc(6 + 16 * images.length);
  directory.writeUInt16LE(0, 0);
  directory.writeUInt16LE(1, 2); // type: icon
  directory.writeUInt16LE(images.length, 4);
  let offset = directory.length;
  images.forEach((image, i) => {
    const at = 6 + 16 * i;
    const entry = entries[i] ?? Buffer.alloc(0);
    directory[at] = image.size >= 256 ? 0 : image.size;
    directory[at + 1] = image.size >= 256 ? 0 : image.size;
    directory.writeUInt16LE(1, at + 4); // planes
    directory.writeUInt16LE(32, at + 6); // bits per pixel
    directory.writeUInt32LE(entry.length, at + 8);
    directory.writeUInt32LE(offset, at + 12);
    offset += entry.length;
  });
  return Buffer.concat([directory, ...entries]);
}

/** Reads back every entry of an ICO this module wrote, as RGBA. */
export function decodeIco(bytes: Buffer): RgbaImage[] {
  if (bytes.readUInt16LE(0) !== 0 || bytes.readUInt16LE(2) !== 1) throw new Error('not an icon file');
  const count = bytes.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const at = 6 + 16 * i;
    const length = bytes.readUInt32LE(at + 8);
    const data = bytes.subarray(bytes.readUInt32LE(at + 12), bytes.readUInt32LE(at + 12) + length);
    if (data.subarray(0, 8).equals(PNG_SIGNATURE)) return decodePng(data);
    const size = data.readInt32LE(4);
    if (data.readInt32LE(8) !== size * 2 || data.readUInt16LE(14) !== 32) throw new Error('not a 32-bit icon entry');
    const rgba = Buffer.alloc(size * size * 4);
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        const from = 40 + ((size - 1 - y) * size + x) * 4;
        const to = (y * size + x) * 4;
        rgba[to] = data[from + 2] ?? 0;
        rgba[to + 1] = data[from + 1] ?? 0;
        rgba[to + 2] = data[from] ?? 0;
        rgba[to + 3] = data[from + 3] ?? 0;
      }
    }
    return { size, rgba };
  });
}

// ---- ICNS -------------------------------------------------------------------------------------

/** ICNS element types holding PNG data, by pixel size (Apple's icns format, macOS 10.7+). */
export const ICNS_TYPES: readonly (readonly [type: string, size: number])[] = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32], // 16 pt @2x
  ['ic12', 64], // 32 pt @2x
  ['ic07', 128],
  ['ic13', 256], // 128 pt @2x
  ['ic08', 256],
  ['ic14', 512], // 256 pt @2x
  ['ic09', 512],
  ['ic10', 1024], // 512 pt @2x
];

export function encodeIcns(pngBySize: ReadonlyMap<number, Buffer>): Buffer {
  const elements = ICNS_TYPES.map(([type, size]) => {
    const png = pngBySize.get(size);
    if (png === undefined) throw new Error(`no ${size} px image for the icns element ${type}`);
    const header = Buffer.alloc(8);
    header.write(type, 0, 'ascii');
    header.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([header, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'ascii');
  header.writeUInt32BE(8 + elements.reduce((sum, e) => sum + e.length, 0), 4);
  return Buffer.concat([header, ...elements]);
}

/** The element types and their PNG images of an ICNS file. */
export function decodeIcns(bytes: Buffer): { readonly type: string; readonly image: RgbaImage }[] {
  if (bytes.toString('ascii', 0, 4) !== 'icns' || bytes.readUInt32BE(4) !== bytes.length)
    throw new Error('not an icns file');
  const out: { type: string; image: RgbaImage }[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at + 4);
    out.push({ type: bytes.toString('ascii', at, at + 4), image: decodePng(bytes.subarray(at + 8, at + length)) });
    at += length;
  }
  return out;
}

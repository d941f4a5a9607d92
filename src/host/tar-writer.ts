/**
 * A minimal writer of gzip-compressed tar archives (POSIX ustar), enough for a support bundle:
 * regular files with short relative paths, mode 0600, no owners. `tar -xzf`, 7-Zip and every
 * archive tool read it. No dependency: the header is 512 bytes of fixed fields, the data is padded
 * to 512-byte blocks, two zero blocks end the archive, node:zlib compresses it.
 */
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** Relative path with `/` separators, at most 100 bytes (no prefix field is used). */
  readonly name: string;
  readonly content: string | Uint8Array;
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > length) throw new Error(`tar: ${JSON.stringify(text)} does not fit in ${length} bytes`);
  bytes.copy(header, offset);
}

/** An octal number, zero-padded, NUL-terminated, as ustar numeric fields are. */
function octal(header: Buffer, offset: number, length: number, value: number): void {
  field(header, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function header(name: string, size: number, mtime: number): Buffer {
  if (name === '' || name.startsWith('/') || name.split('/').includes('..'))
    throw new Error(`tar: unsafe entry name ${JSON.stringify(name)}`);
  const block = Buffer.alloc(BLOCK);
  field(block, 0, 100, name);
  octal(block, 100, 8, 0o600);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, Math.floor(mtime / 1000));
  block.fill(' ', 148, 156); // the checksum counts its own field as spaces
  field(block, 156, 1, '0');
  field(block, 257, 6, 'ustar\0');
  field(block, 263, 2, '00');
  let sum = 0;
  for (const byte of block) sum += byte;
  field(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** The uncompressed tar bytes of `entries`, in order, each dated `mtime` (epoch ms). */
export function tarArchive(entries: readonly TarEntry[], mtime: number = Date.now()): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : Buffer.from(entry.content);
    parts.push(header(entry.name, data.length, mtime), data);
    const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** `tarArchive` compressed with gzip: the bytes of a `.tar.gz` file. */
export function tarGz(entries: readonly TarEntry[], mtime?: number): Buffer {
  return gzipSync(tarArchive(entries, mtime));
}

/**
 * Reads an `app.asar` the way Electron does: a Chromium Pickle holding the JSON header, then the
 * file contents (offsets relative to the end of the header). Enough to list and read files.
 */
import { readFileSync } from 'node:fs';

interface AsarEntry {
  readonly files?: Record<string, AsarEntry>;
  readonly offset?: string;
  readonly size?: number;
  readonly unpacked?: boolean;
}

export class AsarArchive {
  readonly #bytes: Buffer;
  readonly #header: AsarEntry;
  readonly #base: number;

  constructor(file: string) {
    this.#bytes = readFileSync(file);
    // Pickle(uint32 headerSize) then Pickle(string header): [payload size][string length][string].
    const headerPickleSize = this.#bytes.readUInt32LE(4);
    const jsonLength = this.#bytes.readUInt32LE(12);
    this.#header = JSON.parse(this.#bytes.subarray(16, 16 + jsonLength).toString('utf8')) as AsarEntry;
    this.#base = 8 + headerPickleSize;
  }

  /** Every file path, e.g. `/dist/src/main/main.js`. */
  files(): string[] {
    const out: string[] = [];
    const walk = (entry: AsarEntry, prefix: string): void => {
      for (const [name, child] of Object.entries(entry.files ?? {})) {
        if (child.files !== undefined) walk(child, `${prefix}/${name}`);
        else out.push(`${prefix}/${name}`);
      }
    };
    walk(this.#header, '');
    return out;
  }

  read(path: string): Buffer {
    let entry: AsarEntry | undefined = this.#header;
    for (const part of path.split('/').filter((p) => p !== '')) entry = entry?.files?.[part];
    if (entry?.offset === undefined || entry.size === undefined) throw new Error(`${path} is not a packed file`);
    const start = this.#base + Number(entry.offset);
    return this.#bytes.subarray(start, start + entry.size);
  }
}

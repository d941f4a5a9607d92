/**
 * IP address text parsing in the two dialects the reference agent uses:
 *
 * - `strict`: Rust std / rustls-pki-types `IpAddr` (no leading zeros in IPv4 octets, `::` stands
 *   for at least one zero group) — used to tell an IP literal in `server.host` from a bad name,
 *   and for addresses given as text to the allowlist matcher.
 * - `ipnet`: ipnet 2.11's own copy of an older std parser, used for `allowed-addresses` networks:
 *   IPv4 octets may have leading zeros and are still decimal (`010` is 10, never octal), up to
 *   3 digits; `::` may stand for zero groups (`1:2:3:4::5:6:7:8`).
 *
 * Both accept an embedded IPv4 tail in IPv6 (`::ffff:1.2.3.4`) and no zone ids.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Uint8Array;
}

export type IpDialect = 'strict' | 'ipnet';

/** A tiny backtracking reader over ASCII bytes, in the style of Rust's std::net parser. */
export class AddressTextReader {
  readonly #text: string;
  #pos = 0;
  readonly #dialect: IpDialect;

  constructor(text: string, dialect: IpDialect) {
    this.#text = text;
    this.#dialect = dialect;
  }

  atEnd(): boolean {
    return this.#pos === this.#text.length;
  }

  /** Runs `read`; restores the position when it returns null. */
  atomically<T>(read: () => T | null): T | null {
    const saved = this.#pos;
    const result = read();
    if (result === null) this.#pos = saved;
    return result;
  }

  readChar(expected: string): boolean {
    if (this.#text[this.#pos] !== expected) return false;
    this.#pos++;
    return true;
  }

  #digit(radix: 10 | 16): number | null {
    const char = this.#text[this.#pos];
    if (char === undefined) return null;
    const code = char.charCodeAt(0);
    let value: number | null = null;
    if (code >= 0x30 && code <= 0x39) value = code - 0x30;
    else if (radix === 16 && code >= 0x61 && code <= 0x66) value = code - 0x61 + 10;
    else if (radix === 16 && code >= 0x41 && code <= 0x46) value = code - 0x41 + 10;
    if (value !== null) this.#pos++;
    return value;
  }

  /**
   * Reads an unsigned number of at most `maxDigits` digits below `limit`. `allowLeadingZero`
   * false rejects `0` followed by more digits (std's anti-octal rule).
   */
  readNumber(radix: 10 | 16, maxDigits: number, limit: number, allowLeadingZero: boolean): number | null {
    return this.atomically(() => {
      const leadingZero = this.#text[this.#pos] === '0';
      let value = 0;
      let digits = 0;
      let digit: number | null;
      while ((digit = this.#digit(radix)) !== null) {
        value = value * radix + digit;
        digits++;
        if (digits > maxDigits || value >= limit) return null;
      }
      if (digits === 0) return null;
      if (!allowLeadingZero && leadingZero && digits > 1) return null;
      return value;
    });
  }

  readIpv4(): Uint8Array | null {
    return this.atomically(() => {
      const octets = new Uint8Array(4);
      for (let i = 0; i < 4; i++) {
        if (i > 0 && !this.readChar('.')) return null;
        const octet = this.readNumber(10, 3, 0x100, this.#dialect === 'ipnet');
        if (octet === null) return null;
        octets[i] = octet;
      }
      return octets;
    });
  }

  /** Reads colon-separated groups (and a trailing embedded IPv4) into `groups`, at most `limit`. */
  #readGroups(groups: number[], limit: number): { count: number; endedWithIpv4: boolean } {
    for (let i = 0; i < limit; i++) {
      if (i < limit - 1) {
        const ipv4 = this.atomically(() => (i === 0 || this.readChar(':') ? this.readIpv4() : null));
        if (ipv4 !== null) {
          groups[i] = ((ipv4[0] ?? 0) << 8) | (ipv4[1] ?? 0);
          groups[i + 1] = ((ipv4[2] ?? 0) << 8) | (ipv4[3] ?? 0);
          return { count: i + 2, endedWithIpv4: true };
        }
      }
      const group = this.atomically(() =>
        i === 0 || this.readChar(':') ? this.readNumber(16, 4, 0x10000, true) : null,
      );
      if (group === null) return { count: i, endedWithIpv4: false };
      groups[i] = group;
    }
    return { count: limit, endedWithIpv4: false };
  }

  readIpv6(): Uint8Array | null {
    return this.atomically(() => {
      const head: number[] = [];
      const { count: headCount, endedWithIpv4 } = this.#readGroups(head, 8);
      let groups: number[];
      if (headCount === 8) {
        groups = head;
      } else {
        // An embedded IPv4 part is only allowed at the very end.
        if (endedWithIpv4) return null;
        if (!this.readChar(':') || !this.readChar(':')) return null;
        // std requires `::` to replace at least one group; ipnet allows it to replace none.
        const tailLimit = this.#dialect === 'ipnet' ? 8 - headCount : 8 - (headCount + 1);
        const tail: number[] = [];
        const { count: tailCount } = this.#readGroups(tail, tailLimit);
        groups = [
          ...head.slice(0, headCount),
          ...new Array<number>(8 - headCount - tailCount).fill(0),
          ...tail.slice(0, tailCount),
        ];
      }
      const bytes = new Uint8Array(16);
      groups.forEach((group, i) => {
        bytes[2 * i] = group >> 8;
        bytes[2 * i + 1] = group & 0xff;
      });
      return bytes;
    });
  }
}

/** Parses a whole string as an IPv4 or IPv6 address in the given dialect, or null. */
export function parseIpAddress(text: string, dialect: IpDialect = 'strict'): IpAddress | null {
  // rustls-pki-types does not even try IPv4 on more than 15 characters.
  if (dialect === 'ipnet' || text.length <= 15) {
    const v4 = new AddressTextReader(text, dialect);
    const bytes = v4.readIpv4();
    if (bytes !== null && v4.atEnd()) return { family: 4, bytes };
  }
  const v6 = new AddressTextReader(text, dialect);
  const bytes = v6.readIpv6();
  if (bytes !== null && v6.atEnd()) return { family: 6, bytes };
  return null;
}

/** An address as bytes (4 or 16), e.g. from a CBOR `SocketAddr`. */
export function ipAddressFromBytes(bytes: Uint8Array): IpAddress | null {
  if (bytes.length === 4) return { family: 4, bytes: Uint8Array.from(bytes) };
  if (bytes.length === 16) return { family: 6, bytes: Uint8Array.from(bytes) };
  return null;
}

/**
 * IP address text ↔ bytes, following Rust's std::net so that addresses print as the reference
 * agent prints them: IPv4 as dotted quad; IPv6 in RFC 5952 style (lower-case hex, the first
 * longest run of two or more zero groups as `::`), with IPv4-mapped addresses as
 * `::ffff:a.b.c.d`. Parsing is as strict as Rust's `FromStr` (no zones, no octal-looking octets).
 */

const IPV4_TEXT = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** 4 bytes from a dotted quad, or null if the text is not one. */
export function parseIpv4(text: string): Uint8Array | null {
  const match = IPV4_TEXT.exec(text);
  if (match === null) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i += 1) {
    const part = match[i + 1] ?? '';
    // Rust refuses leading zeros ("010" could be read as octal elsewhere).
    if (part.length > 1 && part.startsWith('0')) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

/** 16 bytes from IPv6 text (optionally ending in an embedded IPv4 address), or null. */
export function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  let groups: number[];
  if (halves.length === 1) {
    const all = parseGroups(text, true);
    if (all?.length !== 8) return null;
    groups = all;
  } else if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '', false);
    const tail = parseGroups(halves[1] ?? '', true);
    // "::" stands for at least one zero group.
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    return null;
  }
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** Colon-separated 16-bit groups; an IPv4 address may stand for the last two. */
function parseGroups(text: string, ipv4Last: boolean): number[] | null {
  if (text === '') return [];
  const fields = text.split(':');
  const groups: number[] = [];
  for (const [i, field] of fields.entries()) {
    if (ipv4Last && i === fields.length - 1 && field.includes('.')) {
      const v4 = parseIpv4(field);
      if (v4 === null) return null;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else if (HEX_GROUP.test(field)) {
      groups.push(parseInt(field, 16));
    } else {
      return null;
    }
  }
  return groups;
}

export function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`;
}

export function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(bytes.subarray(12, 16))}`;
  }
  // The first longest run of zero groups; only a run of two or more is compressed.
  let bestStart = 0;
  let bestLength = 0;
  let runStart = 0;
  let runLength = 0;
  groups.forEach((group, i) => {
    if (group !== 0) {
      runLength = 0;
      return;
    }
    if (runLength === 0) runStart = i;
    runLength += 1;
    if (runLength > bestLength) {
      bestStart = runStart;
      bestLength = runLength;
    }
  });
  const hex = (part: number[]): string => part.map((g) => g.toString(16)).join(':');
  if (bestLength < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/**
 * Duration strings exactly as humantime 2.3.0 `parse_duration` reads them (the reference's
 * `connect-timeout` / `ping-frequency`): a sequence of `<number>[.<fraction>] <unit>` spans,
 * optionally separated by whitespace (`1m 30s`, `1m30s`, `1 m 30 s`); a bare number is an error
 * except the literal `0`. Values are u64 seconds + nanoseconds; anything beyond is an overflow.
 * Error texts are humantime's own (offsets are byte offsets in UTF-8, as in Rust).
 */
import { rustDebugString } from '../log/index.js';

const U64_MAX = (1n << 64n) - 1n;
const NANOS_PER_SECOND = 1_000_000_000n;

/** A non-negative duration: whole seconds (u64) and nanoseconds (0 ≤ nanos < 1e9). */
export interface HumanDuration {
  readonly seconds: bigint;
  readonly nanos: number;
}

export class HumantimeError extends Error {
  override readonly name = 'HumantimeError';
}

/** Milliseconds as a JS number (fractional below 1 ms; imprecise only beyond 2^53 ms). */
export function durationToMs(duration: HumanDuration): number {
  return Number(duration.seconds) * 1000 + duration.nanos / 1e6;
}

type Unit = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'M' | 'y';

const UNITS: ReadonlyMap<string, Unit> = new Map<string, Unit>([
  ...(['nanos', 'nsec', 'ns'] as const).map((name) => [name, 'ns'] as const),
  ...(['usec', 'us', '\u00b5s'] as const).map((name) => [name, 'us'] as const),
  ...(['millis', 'msec', 'ms'] as const).map((name) => [name, 'ms'] as const),
  ...(['seconds', 'second', 'secs', 'sec', 's'] as const).map((name) => [name, 's'] as const),
  ...(['minutes', 'minute', 'min', 'mins', 'm'] as const).map((name) => [name, 'm'] as const),
  ...(['hours', 'hour', 'hr', 'hrs', 'h'] as const).map((name) => [name, 'h'] as const),
  ...(['days', 'day', 'd'] as const).map((name) => [name, 'd'] as const),
  ...(['weeks', 'week', 'wk', 'wks', 'w'] as const).map((name) => [name, 'w'] as const),
  ...(['months', 'month', 'M'] as const).map((name) => [name, 'M'] as const),
  ...(['years', 'year', 'yr', 'yrs', 'y'] as const).map((name) => [name, 'y'] as const),
]);

/** Seconds per unit for the units humantime counts in whole seconds (month = 30.44 d, year = 365.25 d). */
const SECONDS_PER_UNIT: Readonly<Record<'s' | 'm' | 'h' | 'd' | 'w' | 'M' | 'y', bigint>> = {
  s: 1n,
  m: 60n,
  h: 3600n,
  d: 86_400n,
  w: 604_800n,
  M: 2_630_016n,
  y: 31_557_600n,
};

const UNKNOWN_UNIT_HINT =
  'supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations)';

const overflow = (): HumantimeError =>
  new HumantimeError(
    'number is too large or cannot be represented without a lack of precision (values below 1ns are not supported)',
  );

function checked(value: bigint): bigint {
  if (value > U64_MAX) throw overflow();
  return value;
}

/** humantime's `div`: only exact divisions are representable. */
function exactDiv(value: bigint, divisor: bigint): bigint {
  if (value % divisor !== 0n) throw overflow();
  return value / divisor;
}

const isDigit = (char: string): boolean => char >= '0' && char <= '9';
const isUnitChar = (char: string): boolean =>
  (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '\u00b5';
// Rust's char::is_whitespace is Unicode White_Space.
const isWhitespace = (char: string): boolean => /^\p{White_Space}$/u.test(char);

interface Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

class DurationParser {
  readonly #chars: readonly string[];
  /** UTF-8 byte offset of each char, plus the total length at the end. */
  readonly #offsets: readonly number[];
  readonly #source: string;
  #index = 0;
  #seconds = 0n;
  #nanos = 0n;

  constructor(source: string) {
    this.#source = source;
    this.#chars = Array.from(source);
    const offsets = [0];
    let total = 0;
    for (const char of this.#chars) {
      total += Buffer.byteLength(char, 'utf8');
      offsets.push(total);
    }
    this.#offsets = offsets;
  }

  #next(): string | undefined {
    const char = this.#chars[this.#index];
    if (char !== undefined) this.#index++;
    return char;
  }

  #off(): number {
    return this.#offsets[this.#index] ?? 0;
  }

  #slice(start: number, end: number): string {
    return Buffer.from(this.#source, 'utf8').subarray(start, end).toString('utf8');
  }

  parse(): HumanDuration {
    let n = this.#parseFirstChar();
    if (n === null) throw new HumantimeError('value was empty');
    for (;;) {
      let fraction: Fraction | null = null;
      let off = this.#off();
      let char: string | undefined;
      while ((char = this.#next()) !== undefined) {
        if (isDigit(char)) {
          n = checked(n * 10n + BigInt(char));
        } else if (isWhitespace(char)) {
          // spaces between the number and its unit are allowed
        } else if (isUnitChar(char)) {
          break;
        } else if (char === '.') {
          const parsed = this.#parseFraction(off);
          fraction = parsed.fraction;
          off = parsed.off;
          break;
        } else {
          throw new HumantimeError(`invalid character at ${off}`);
        }
        off = this.#off();
      }
      const start = off;
      off = this.#off();
      let nextNumber: bigint | null = null;
      while ((char = this.#next()) !== undefined) {
        if (isDigit(char)) {
          nextNumber = BigInt(char);
          break;
        } else if (isWhitespace(char)) {
          break;
        } else if (!isUnitChar(char)) {
          throw new HumantimeError(`invalid character at ${off}`);
        }
        off = this.#off();
      }
      this.#addUnit(n, fraction, start, off);
      if (nextNumber !== null) {
        n = nextNumber;
        continue;
      }
      const following = this.#parseFirstChar();
      if (following === null) return { seconds: this.#seconds, nanos: Number(this.#nanos) };
      n = following;
    }
  }

  #parseFirstChar(): bigint | null {
    const off = this.#off();
    let char: string | undefined;
    while ((char = this.#next()) !== undefined) {
      if (isDigit(char)) return BigInt(char);
      if (!isWhitespace(char)) throw new HumantimeError(`expected number at ${off}`);
    }
    return null;
  }

  /** Reads the digits after `.`; `off` is the caller's offset, updated as humantime does. */
  #parseFraction(initialOff: number): { fraction: Fraction; off: number } {
    let off = initialOff;
    let numerator = 0n;
    let denominator = 1n;
    let zeros = true;
    let char: string | undefined;
    while ((char = this.#next()) !== undefined) {
      if (char === '0') {
        denominator = checked(denominator * 10n);
        if (!zeros) numerator = checked(numerator * 10n);
      } else if (isDigit(char)) {
        zeros = false;
        denominator = checked(denominator * 10n);
        numerator = checked(numerator * 10n + BigInt(char));
      } else if (isWhitespace(char)) {
        // allowed inside the fraction, as in humantime
      } else if (isUnitChar(char)) {
        break;
      } else {
        throw new HumantimeError(`invalid character at ${off}`);
      }
      off = this.#off();
    }
    // No digit after the separator, e.g. "1." or "1.s".
    if (denominator === 1n) throw new HumantimeError(`invalid character at ${off}`);
    return { fraction: { numerator, denominator }, off };
  }

  #addUnit(n: bigint, fraction: Fraction | null, start: number, end: number): void {
    const text = this.#slice(start, end);
    const unit = UNITS.get(text);
    if (unit === undefined) {
      throw new HumantimeError(
        text === ''
          ? `time unit needed, for example ${n}sec or ${n}ms`
          : `unknown time unit ${rustDebugString(text)}, ${UNKNOWN_UNIT_HINT}`,
      );
    }
    switch (unit) {
      case 'ns':
        this.#add(0n, n);
        break;
      case 'us':
        this.#add(0n, checked(n * 1000n));
        break;
      case 'ms':
        this.#add(0n, checked(n * 1_000_000n));
        break;
      default:
        this.#add(checked(n * SECONDS_PER_UNIT[unit]), 0n);
    }
    if (fraction === null) return;
    const { numerator, denominator } = fraction;
    switch (unit) {
      case 'ns':
        throw overflow();
      case 'us':
        this.#add(0n, exactDiv(checked(numerator * 1000n), denominator));
        break;
      case 'ms':
        this.#add(0n, exactDiv(checked(numerator * 1_000_000n), denominator));
        break;
      case 's':
        this.#add(0n, exactDiv(checked(numerator * NANOS_PER_SECOND), denominator));
        break;
      case 'm':
        this.#add(0n, exactDiv(checked(numerator * 60n * NANOS_PER_SECOND), denominator));
        break;
      default:
        this.#add(exactDiv(checked(numerator * SECONDS_PER_UNIT[unit]), denominator), 0n);
    }
  }

  /** humantime 2.3.0 `add_current`: nanoseconds carry into seconds, every step checked against u64. */
  #add(seconds: bigint, nanos: bigint): void {
    let totalNanos = checked(this.#nanos + nanos);
    let addSeconds = seconds;
    if (totalNanos >= NANOS_PER_SECOND) {
      addSeconds = checked(addSeconds + totalNanos / NANOS_PER_SECOND);
      totalNanos %= NANOS_PER_SECOND;
    }
    // 2.3.0 compares `> 1e9` and lets Duration::new carry exactly 1e9, which panics on u64
    // overflow; carrying here and reporting an overflow gives the same value or a clean error.
    this.#seconds = checked(this.#seconds + addSeconds);
    this.#nanos = totalNanos;
  }
}

/** Parses a humantime duration; throws `HumantimeError` with humantime's message. */
export function parseHumantimeDuration(text: string): HumanDuration {
  if (text === '0') return { seconds: 0n, nanos: 0 };
  return new DurationParser(text).parse();
}

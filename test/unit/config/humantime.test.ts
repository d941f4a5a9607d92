import { describe, expect, it } from 'vitest';
import { durationToMs, parseHumantimeDuration } from '../../../src/tunnel/config/humantime.js';

const parse = (text: string): [bigint, number] => {
  const { seconds, nanos } = parseHumantimeDuration(text);
  return [seconds, nanos];
};

describe('humantime 2.3 duration grammar', () => {
  it.each([
    ['17nsec', 0n, 17],
    ['17nanos', 0n, 17],
    ['33ns', 0n, 33],
    ['3usec', 0n, 3000],
    ['78us', 0n, 78_000],
    ['163\u00b5s', 0n, 163_000],
    ['31msec', 0n, 31_000_000],
    ['31millis', 0n, 31_000_000],
    ['6ms', 0n, 6_000_000],
    ['3000s', 3000n, 0],
    ['300sec', 300n, 0],
    ['300secs', 300n, 0],
    ['50seconds', 50n, 0],
    ['1second', 1n, 0],
    ['100m', 6000n, 0],
    ['12min', 720n, 0],
    ['12mins', 720n, 0],
    ['1minute', 60n, 0],
    ['7minutes', 420n, 0],
    ['2h', 7200n, 0],
    ['7hr', 25_200n, 0],
    ['7hrs', 25_200n, 0],
    ['1hour', 3600n, 0],
    ['24hours', 86_400n, 0],
    ['1day', 86_400n, 0],
    ['2days', 172_800n, 0],
    ['365d', 31_536_000n, 0],
    ['1week', 604_800n, 0],
    ['7weeks', 4_233_600n, 0],
    ['104wks', 62_899_200n, 0],
    ['100wk', 60_480_000n, 0],
    ['52w', 31_449_600n, 0],
    ['1month', 2_630_016n, 0],
    ['3months', 7_890_048n, 0],
    ['12M', 31_560_192n, 0],
    ['1year', 31_557_600n, 0],
    ['7years', 220_903_200n, 0],
    ['15yrs', 473_364_000n, 0],
    ['10yr', 315_576_000n, 0],
    ['17y', 536_479_200n, 0],
  ])('reads %s', (text, seconds, nanos) => {
    expect(parse(text)).toEqual([seconds, nanos]);
  });

  it('reads the spellings users write in cluvio-agent.toml, with or without spaces', () => {
    expect(durationToMs(parseHumantimeDuration('30s'))).toBe(30_000);
    expect(durationToMs(parseHumantimeDuration('1m 30s'))).toBe(90_000);
    expect(durationToMs(parseHumantimeDuration('1m30s'))).toBe(90_000);
    expect(durationToMs(parseHumantimeDuration('1 m  30 s'))).toBe(90_000);
    expect(durationToMs(parseHumantimeDuration('500ms'))).toBe(500);
    expect(durationToMs(parseHumantimeDuration('2h 37min'))).toBe(9_420_000);
    expect(parse('20 min 17 nsec ')).toEqual([1200n, 17]);
  });

  it('accepts exactly "0" without a unit, like humantime', () => {
    expect(parse('0')).toEqual([0n, 0]);
    expect(() => parseHumantimeDuration('00')).toThrow('time unit needed, for example 0sec or 0ms');
  });

  it.each([
    ['4.2s', 4n, 200_000_000],
    ['3.1us', 0n, 3100],
    ['3.001us', 0n, 3001],
    ['31.000001ms', 0n, 31_000_001],
    ['1.123456789s', 1n, 123_456_789],
    ['12.1min', 726n, 0],
    ['1.5minutes', 90n, 0],
    ['2.5h', 9000n, 0],
    ['0.5h', 1800n, 0],
    ['1.5d', 129_600n, 0],
    ['7.120us 3ns', 0n, 7123],
    ['1.234s 0.345ms 0.678us 0ns', 1n, 234_345_678],
    ['1.234s0.345ms0.678us0ns', 1n, 234_345_678],
  ])('reads the fraction in %s', (text, seconds, nanos) => {
    expect(parse(text)).toEqual([seconds, nanos]);
  });

  it.each([
    ['30', 'time unit needed, for example 30sec or 30ms'],
    ['10 months 1', 'time unit needed, for example 1sec or 1ms'],
    [
      '10nights',
      'unknown time unit "nights", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations)',
    ],
    [
      '222nsec221nanosmsec7s5msec572s',
      'unknown time unit "nanosmsec", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations)',
    ],
    ['', 'value was empty'],
    ['\r', 'value was empty'],
    ['\0', 'expected number at 0'],
    ['s', 'expected number at 0'],
    ['.1s', 'expected number at 0'],
    ['1~', 'invalid character at 1'],
    ['1Nå', 'invalid character at 2'],
    ['1.s', 'invalid character at 1'],
    ['1..s', 'invalid character at 1'],
    ['-1s', 'expected number at 0'],
    ['1s -1s', 'expected number at 3'],
  ])('refuses %j with humantime’s message', (text, message) => {
    expect(() => parseHumantimeDuration(text)).toThrow(message);
  });

  it('reports byte offsets, as Rust does, after multi-byte characters', () => {
    // "µ" is 2 bytes in UTF-8: the "!" is at byte 4, not at character 3.
    expect(() => parseHumantimeDuration('1\u00b5s!')).toThrow('invalid character at 4');
  });

  it.each([
    '100000000000000000000ns',
    '100000000000000000us',
    '100000000000000ms',
    '100000000000000000000s',
    '10000000000000000000m',
    '1000000000000000000h',
    '100000000000000000d',
    '10000000000000000w',
    '1000000000000000M',
    '10000000000000y',
    '18446744073709551615s1000ms',
    '0.000123456789s',
    '17.5nsec',
    '3.0001us',
    '31.0000001ms',
    '1.0000000002s',
    '0.00000005d',
  ])('refuses %s as too large or too precise', (text) => {
    expect(() => parseHumantimeDuration(text)).toThrow(
      'number is too large or cannot be represented without a lack of precision (values below 1ns are not supported)',
    );
  });

  // The reference (humantime 2.3.0) panics on this one ("overflow in Duration::new"); refusing it is the sane equivalent.
  it('refuses a nanosecond carry past u64::MAX seconds', () => {
    expect(() => parseHumantimeDuration('18446744073709551615s 999999999ns 1ns')).toThrow(/^number is too large/);
  });

  it('reaches u64::MAX seconds exactly', () => {
    expect(parse('18446744073709551615s')).toEqual([18_446_744_073_709_551_615n, 0]);
    expect(parse('18446744073709551614s 999999999ns 1ns')).toEqual([18_446_744_073_709_551_615n, 0]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../../../src/tunnel/config/ip-address.js';
import { networkContains, parseIpNetwork } from '../../../src/tunnel/config/ip-network.js';

const bytesOf = (text: string): number[] => {
  const ip = parseIpAddress(text, 'strict');
  if (ip === null) throw new Error(`test address ${text} does not parse`);
  return Array.from(ip.bytes);
};

describe('IP networks as ipnet 2.11 parses allowed-addresses', () => {
  it.each([
    ['10.0.0.0/8', 4, '10.0.0.0', 8],
    ['192.168.1.10/32', 4, '192.168.1.10', 32],
    ['0.0.0.0/0', 4, '0.0.0.0', 0],
    ['fd00::/8', 6, 'fd00::', 8],
    ['::/0', 6, '::', 0],
    ['::ffff:1.2.3.4/128', 6, '::ffff:1.2.3.4', 128],
    ['2001:DB8::1/64', 6, '2001:db8::1', 64],
  ])('reads %s', (text, family, address, prefixLength) => {
    const network = parseIpNetwork(text);
    expect(network).not.toBeNull();
    expect(network?.family).toBe(family);
    expect(Array.from(network?.address ?? [])).toEqual(bytesOf(address));
    expect(network?.prefixLength).toBe(prefixLength);
  });

  it('reads IPv4 octets with leading zeros as decimal, never octal (as the reference accepts "010.0.0.0/8")', () => {
    expect(Array.from(parseIpNetwork('010.0.0.0/8')?.address ?? [])).toEqual([10, 0, 0, 0]);
    expect(Array.from(parseIpNetwork('192.168.001.010/32')?.address ?? [])).toEqual([192, 168, 1, 10]);
    expect(Array.from(parseIpNetwork('::ffff:01.2.3.4/128')?.address ?? []).slice(12)).toEqual([1, 2, 3, 4]);
  });

  it('reads prefix lengths with a leading zero within their digit limit', () => {
    expect(parseIpNetwork('10.0.0.0/08')?.prefixLength).toBe(8);
    expect(parseIpNetwork('fd00::/064')?.prefixLength).toBe(64);
    expect(parseIpNetwork('10.0.0.0/008')).toBeNull();
  });

  it('lets "::" stand for no group at all, unlike std', () => {
    expect(Array.from(parseIpNetwork('1:2:3:4::5:6:7:8/64')?.address ?? [])).toEqual(bytesOf('1:2:3:4:5:6:7:8'));
    expect(parseIpAddress('1:2:3:4::5:6:7:8', 'strict')).toBeNull();
  });

  it.each([
    '10.0.0.1',
    '::1',
    '0010.0.0.0/8',
    '256.0.0.0/8',
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0/8',
    '10.0.0.0.0/8',
    '10.0.0.0/',
    '10.0.0.0/8 ',
    ' 10.0.0.0/8',
    '1.2.3.4.example/8',
    '1:2:3:4:5:6:7:8:9/64',
    '1.2.3.4::/64',
    '12345::/16',
    '::1%eth0/128',
    '10.0.0.0/-8',
    'fd00::/+8',
  ])('refuses %j', (text) => {
    expect(parseIpNetwork(text)).toBeNull();
  });

  it('contains addresses by prefix only, host bits of the network text notwithstanding', () => {
    const network = parseIpNetwork('10.1.2.3/8');
    if (network === null) throw new Error('unparsed');
    expect(networkContains(network, { family: 4, bytes: Uint8Array.from([10, 200, 0, 1]) })).toBe(true);
    expect(networkContains(network, { family: 4, bytes: Uint8Array.from([11, 0, 0, 1]) })).toBe(false);
  });

  it('checks partial-byte prefixes bit by bit', () => {
    const network = parseIpNetwork('192.168.0.0/23');
    if (network === null) throw new Error('unparsed');
    const contains = (text: string): boolean =>
      networkContains(network, { family: 4, bytes: Uint8Array.from(bytesOf(text)) });
    expect(contains('192.168.1.255')).toBe(true);
    expect(contains('192.168.2.0')).toBe(false);
  });
});

describe('IP addresses in std syntax (server.host, allowlist text input)', () => {
  it('rejects leading zeros in IPv4 octets', () => {
    expect(parseIpAddress('010.0.0.1', 'strict')).toBeNull();
    expect(parseIpAddress('10.0.0.1', 'strict')?.family).toBe(4);
    expect(parseIpAddress('0.0.0.0', 'strict')?.family).toBe(4);
  });

  it('reads IPv6 forms including an embedded IPv4 tail', () => {
    expect(bytesOf('::ffff:192.0.2.1').slice(10)).toEqual([0xff, 0xff, 192, 0, 2, 1]);
    expect(bytesOf('1:2:3:4:5:6:7::')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]);
    expect(parseIpAddress('1.2.3.4::', 'strict')).toBeNull();
  });
});

/** Network changes seen as a change of the machine's non-loopback addresses between two polls. */
import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { NetworkChangeDetector } from '../../../src/host/network-change-detector.js';

function info(address: string, internal = false): os.NetworkInterfaceInfo {
  return {
    address,
    netmask: '255.255.255.0',
    family: 'IPv4',
    mac: '00:00:00:00:00:00',
    internal,
    cidr: `${address}/24`,
  };
}

describe('network change detector', () => {
  it('reports an address added or removed, and nothing when the set is unchanged', () => {
    let interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = {
      lo: [info('127.0.0.1', true)],
      eth0: [info('192.168.1.7')],
    };
    const changes: string[] = [];
    const detector = new NetworkChangeDetector({
      onChange: (change) => changes.push(change),
      interfaces: () => interfaces,
    });
    expect(detector.poll()).toBeNull();
    interfaces = { lo: [info('127.0.0.1', true)], wlan0: [info('10.0.0.9')] };
    expect(detector.poll()).toBe('network changed: 10.0.0.9 (wlan0) added, 192.168.1.7 (eth0) removed');
    expect(detector.poll()).toBeNull();
    interfaces = { lo: [info('127.0.0.1', true), info('127.0.0.2', true)], wlan0: [info('10.0.0.9')] };
    expect(detector.poll()).toBeNull();
    expect(changes).toHaveLength(1);
  });

  it('an interface list that cannot be read is no change', () => {
    let fail = false;
    const detector = new NetworkChangeDetector({
      onChange: () => undefined,
      interfaces: () => {
        if (fail) throw new Error('EPERM');
        return { eth0: [info('192.168.1.7')] };
      },
    });
    fail = true;
    expect(detector.poll()).toBeNull();
    fail = false;
    expect(detector.poll()).toBeNull();
  });
});

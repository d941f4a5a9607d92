/**
 * build/cluvio-agent.service: the headless Linux unit. Read as systemd reads it (sections,
 * `Key=value`, repeated keys kept in order) and checked for what an operator relies on.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const UNIT = fileURLToPath(new URL('../../../build/cluvio-agent.service', import.meta.url));

function parseUnit(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | null = null;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header !== null) {
      current = [];
      sections.set(header[1] ?? '', current);
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (pair === null || current === null)
      throw new Error(`line ${index + 1} is not Key=value inside a section: ${raw}`);
    current.push([pair[1] ?? '', pair[2] ?? '']);
  }
  return sections;
}

const unit = parseUnit(readFileSync(UNIT, 'utf8'));
const value = (section: string, key: string): string | undefined =>
  unit
    .get(section)
    ?.filter(([k]) => k === key)
    .at(-1)?.[1];

describe('cluvio-agent.service', () => {
  it('has the three sections and starts the CLI on the configuration handed over as a credential', () => {
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(value('Service', 'Type')).toBe('simple');
    expect(value('Service', 'LoadCredential')).toBe('cluvio-agent.toml:/etc/cluvio-agent.toml');
    expect(value('Service', 'ExecStart')).toBe('cluvio-agent -c ${CREDENTIALS_DIRECTORY}/cluvio-agent.toml');
    expect(value('Install', 'WantedBy')).toBe('multi-user.target');
    expect(value('Unit', 'After')).toBe('network-online.target');
  });

  it('restarts like the reference: only after an abort, never after exit 1 (config error, permanent Terminate) or a stop', () => {
    expect(value('Service', 'Restart')).toBe('on-abort');
    expect(value('Service', 'RestartSec')).toBe('30');
    expect(value('Service', 'Environment')).toBe('NODE_OPTIONS=--abort-on-uncaught-exception');
  });

  it('runs unprivileged in a sandbox that still lets Node run and reach the network', () => {
    const hardening: Record<string, string> = {
      DynamicUser: 'yes',
      NoNewPrivileges: 'yes',
      CapabilityBoundingSet: '',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      RestrictSUIDSGID: 'yes',
      SystemCallFilter: '@system-service',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    };
    for (const [key, expected] of Object.entries(hardening))
      expect([key, value('Service', key)]).toEqual([key, expected]);
    expect(value('Service', 'User')).toBeUndefined();
    // V8's JIT needs writable code pages.
    expect(value('Service', 'MemoryDenyWriteExecute')).toBeUndefined();
  });
});

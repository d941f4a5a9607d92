import { describe, expect, it } from 'vitest';
import type { PublicConfig } from '../../../src/shared/agent-state.js';
import { configDifference, describeDifference } from '../../../src/shared/config-difference.js';

const config = (agentId: string, host: string, port: number, allowed: string[]): PublicConfig => ({
  path: null,
  agentId,
  server: { host, port },
  allowedAddresses: allowed,
  connectTimeoutMs: 30_000,
  pingFrequencyMs: 60_000,
});

describe('what replacing a configuration changes', () => {
  it('names the gateway, the agent ID and each allowed address that comes or goes', () => {
    const difference = configDifference(
      config('A', 'gw.eu', 443, ['10.0.0.0/8', 'db.internal']),
      config('B', 'gw.us', 443, ['db.internal', '*.example.com']),
    );
    expect(describeDifference(difference)).toEqual([
      'Gateway: gw.eu:443 → gw.us:443',
      'Agent ID: A → B (another agent in Cluvio)',
      'Allowed addresses added: *.example.com',
      'Allowed addresses removed: 10.0.0.0/8',
    ]);
    expect(difference.same).toBe(false);
  });

  it('a first configuration lists what it brings; the same one says nothing changes', () => {
    const only = config('A', 'gw.eu', 8443, ['10.0.0.0/8']);
    expect(describeDifference(configDifference(null, only))).toEqual([
      'Gateway: gw.eu:8443',
      'Agent ID: A',
      'Allowed addresses added: 10.0.0.0/8',
    ]);
    expect(describeDifference(configDifference(only, only))).toEqual([
      'Gateway, agent ID and allowed addresses stay the same.',
    ]);
  });

  it('a long allowlist is counted after the first eight', () => {
    const many = Array.from({ length: 20 }, (_, i) => `10.0.${i}.0/24`);
    const [line] = describeDifference(configDifference(config('A', 'g', 1, []), config('A', 'g', 1, many)));
    expect(line).toBe(`Allowed addresses added: ${many.slice(0, 8).join(', ')} and 12 more`);
  });
});

import { describe, expect, it } from 'vitest';
import { serverEnvOverrides } from '../../../src/tunnel/config/env-overrides.js';

describe('CLUVIO_AGENT_* environment overrides (§8.1)', () => {
  it('reads the three reachable server keys, whatever the case of the variable name', () => {
    expect(
      serverEnvOverrides({
        CLUVIO_AGENT_SERVER_HOST: 'gw.example.com',
        cluvio_agent_server_port: '8443',
        Cluvio_Agent_Server_Trust: 'pem',
      }),
    ).toEqual([
      { key: 'host', variable: 'CLUVIO_AGENT_SERVER_HOST', value: 'gw.example.com' },
      { key: 'port', variable: 'cluvio_agent_server_port', value: '8443' },
      { key: 'trust', variable: 'Cluvio_Agent_Server_Trust', value: 'pem' },
    ]);
  });

  it('keeps empty values: an empty variable still overrides', () => {
    expect(serverEnvOverrides({ CLUVIO_AGENT_SERVER_HOST: '' })).toEqual([
      { key: 'host', variable: 'CLUVIO_AGENT_SERVER_HOST', value: '' },
    ]);
  });

  it('ignores variables that address unreachable or unknown keys', () => {
    expect(
      serverEnvOverrides({
        CLUVIO_AGENT_SECRET_KEY: 'x',
        CLUVIO_AGENT_CONNECT_TIMEOUT: '1s',
        CLUVIO_AGENT_ALLOWED_ADDRESSES: '*.',
        CLUVIO_AGENT_SERVER: 'x',
        CLUVIO_AGENT_SERVER_HOST_NAME: 'x',
        CLUVIO_AGENTSERVER_HOST: 'x',
        AGENT_SERVER_HOST: 'x',
        CLUVIO_AGENT_SERVER_PORT: undefined,
      }),
    ).toEqual([]);
  });
});

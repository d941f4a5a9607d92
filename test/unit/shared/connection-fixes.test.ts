import { describe, expect, it } from 'vitest';
import {
  allowlistEntryFor,
  causeInWords,
  explainGatewayFailure,
  explainStreamFailure,
} from '../../../src/shared/connection-fixes.js';

const server = { host: 'gateway.example.com', port: 443 };

describe('failures explained', () => {
  it('the gateway: the cause in words and the fix diagnose gives for the same code', () => {
    expect(explainGatewayFailure('ECONNREFUSED', 'i/o error: could not connect', server, false)).toEqual({
      cause: 'the connection was refused (ECONNREFUSED): nothing accepts connections on that port',
      fix: 'Nothing accepts connections on gateway.example.com port 443: check [server] port (or CLUVIO_AGENT_SERVER_PORT) and that the gateway runs; a firewall may also reject the connection.',
    });
    expect(explainGatewayFailure('ECONNREFUSED', '', server, true)?.fix).toBe(
      "Nothing accepts connections on the proxy's port 443: check the port in the proxy URL, and that the proxy runs.",
    );
    expect(explainGatewayFailure('ENOTFOUND', '', server, false)?.fix).toContain('getent hosts gateway.example.com');
    expect(explainGatewayFailure('TIMEOUT', '', server, false)?.cause).toBe('no answer within connect-timeout');
    expect(explainGatewayFailure('UNABLE_TO_VERIFY_LEAF_SIGNATURE', '', server, false)?.fix).toContain(
      '[server] trust',
    );
    expect(explainGatewayFailure('CERT_HAS_EXPIRED', '', server, false)?.cause).toBe(
      "the gateway's certificate has expired (CERT_HAS_EXPIRED)",
    );
    expect(explainGatewayFailure('ESOMETHINGELSE', '', server, false)).toBeNull();
    expect(causeInWords('EHOSTUNREACH')).toBe('this machine has no route to that host (EHOSTUNREACH)');
  });

  it('a stream: refused by the allowlist (with the entry that would allow it) or by its database', () => {
    expect(explainStreamFailure('address not allowed', null, '10.0.0.7:5432')).toEqual({
      cause: '10.0.0.7:5432 is not in allowed-addresses, so the agent refused it (AddressNotAllowed)',
      fix: 'Add it to allowed-addresses (e.g. "10.0.0.7/32") if Cluvio should reach it.',
    });
    expect(explainStreamFailure('could not connect: …', 'ENOTFOUND', 'db.internal:5432')?.fix).toBe(
      'The name does not resolve on this machine: check the spelling and the DNS (VPN, split DNS).',
    );
    expect(explainStreamFailure('the stream was closed before both directions ended', null, 'db:5432')).toBeNull();
    expect(allowlistEntryFor('[fd00::5]:5432')).toBe('fd00::5/128');
    expect(allowlistEntryFor('db.internal:5432')).toBe('db.internal');
  });
});

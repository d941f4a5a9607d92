/** `gateway.toml`: every key, defaults, and refusals that name the key. */
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../../src/gateway/gateway-config.js';
import { isLoopbackHost } from '../../../src/tunnel/net/loopback-host.js';

const FILE = '/etc/cluvio/gateway.toml';

describe('gateway config file', () => {
  it('reads every key; paths are relative to the file', () => {
    const config = parseGatewayConfig(
      [
        'listen = "0.0.0.0:8443"',
        'certificate = "tls/server.crt"',
        'key = "/keys/server.key"',
        'agents = "agents.toml"',
        'admin = "127.0.0.1:8444"',
        'ping-interval = "15s"',
        'pong-timeout = "1m"',
        'handshake-timeout = "10s"',
        '[[route]]',
        'listen = "127.0.0.1:5433"',
        'agent = "warehouse"',
        'target = "db.internal:5432"',
        'half-close = true',
      ].join('\n'),
      FILE,
    );
    expect(config).toEqual({
      path: FILE,
      listen: { host: '0.0.0.0', port: 8443 },
      tls: { kind: 'files', certificatePath: '/etc/cluvio/tls/server.crt', keyPath: '/keys/server.key' },
      agentsPath: '/etc/cluvio/agents.toml',
      admin: { host: '127.0.0.1', port: 8444 },
      pingIntervalMs: 15_000,
      pongTimeoutMs: 60_000,
      handshakeTimeoutMs: 10_000,
      routes: [
        {
          listen: { host: '127.0.0.1', port: 5433 },
          agent: 'warehouse',
          target: { kind: 'name', name: 'db.internal', port: 5432 },
          halfClose: true,
        },
      ],
    });
  });

  it('defaults: port 443 on every interface, admin on loopback with any port, 30 s timers, self-signed', () => {
    const config = parseGatewayConfig('self-signed = ["localhost", "gw.example.com"]\nagents = "a.toml"\n', FILE);
    expect(config).toMatchObject({
      listen: { host: '0.0.0.0', port: 443 },
      tls: { kind: 'self-signed', hosts: ['localhost', 'gw.example.com'] },
      admin: { host: '127.0.0.1', port: 0 },
      pingIntervalMs: 30_000,
      routes: [],
    });
  });

  it.each([
    [
      'an unknown key',
      'self-signed = ["x"]\nagents = "a"\nlisten-port = 1\n',
      /gateway\.toml: listen-port: unknown key/,
    ],
    ['certificate without key', 'certificate = "c"\nagents = "a"\n', /key: give certificate = /],
    [
      'both certificate and self-signed',
      'certificate = "c"\nkey = "k"\nself-signed = ["x"]\nagents = "a"\n',
      /self-signed: give either/,
    ],
    ['no agents file', 'self-signed = ["x"]\n', /agents: give the agents file/],
    [
      'a public admin address',
      'self-signed = ["x"]\nagents = "a"\nadmin = "0.0.0.0:8444"\n',
      /admin: the admin API listens on loopback only/,
    ],
    [
      'a duration without unit',
      'self-signed = ["x"]\nagents = "a"\nping-interval = "30"\n',
      /ping-interval: invalid duration/,
    ],
    [
      'a route without target',
      'self-signed = ["x"]\nagents = "a"\n[[route]]\nagent = "w"\n',
      /\[\[route\]\] #1 target: give the target/,
    ],
    [
      'a route with a bad listen address',
      'self-signed = ["x"]\nagents = "a"\n[[route]]\nagent = "w"\ntarget = "h:1"\nlisten = "nowhere"\n',
      /\[\[route\]\] #1 listen: .*expected host:port/,
    ],
    ['not TOML', 'listen = \n', /not valid TOML/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseGatewayConfig(text, FILE)).toThrow(message);
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopbackHost)).toBe(false);
  });
});

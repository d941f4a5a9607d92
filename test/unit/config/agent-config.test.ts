import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REDACTED_SECRET_KEY } from '../../../src/tunnel/auth/secret-key.js';
import { parseAgentConfig, toPublicConfig } from '../../../src/tunnel/config/agent-config.js';
import { ConfigError } from '../../../src/tunnel/config/config-error.js';
import { vectorNamed } from '../../support/vectors.js';
import { TEST_CA_PEM, TEST_LEAF_PEM } from './test-certificates.js';

const vector = vectorNamed('config_keypair', 'config');
const SECRET = vector.secret_key_b64url;
const FILE = '/home/u/.config/cluvio-agent.toml';
const SERVER = '[server]\nhost = "gateway.example.com"\n';

function parse(text: string, env: Record<string, string> = {}): ReturnType<typeof parseAgentConfig> {
  return parseAgentConfig(text, { file: FILE, env });
}

function failure(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parse(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('a valid cluvio-agent.toml', () => {
  it('reads the vector’s minimal example with every default', () => {
    const config = parse(vector.toml_example);
    expect(config.agentId).toBe(vector.agent_id);
    expect(Buffer.from(config.publicKey).toString('hex')).toBe(vector.public_key_hex);
    expect(config.secretKey.exportBase64url()).toBe(SECRET);
    expect(config.server).toEqual({ host: 'gateway.example.com', port: 443, trust: [] });
    expect(config.connectTimeoutMs).toBe(30_000);
    expect(config.pingFrequencyMs).toBe(60_000);
    expect(config.allowlist.texts()).toEqual(['0.0.0.0/0', '::/0', '*.']);
    expect(config.path).toBe(FILE);
  });

  it('reads every key, and ignores unknown keys the reference ignores', () => {
    const config = parse(`
secret-key = "${SECRET}"
connect-timeout = "1m 30s"
ping-frequency = "45s"
allowed-addresses = ["10.0.0.0/8", "db.internal", "*.example.com"]
future-option = true
[server]
host = "gw.internal.example"
port = 8443
trust = """
${TEST_CA_PEM}${TEST_LEAF_PEM}"""
extra = 1
[unrelated]
x = 1
`);
    expect(config.connectTimeoutMs).toBe(90_000);
    expect(config.pingFrequencyMs).toBe(45_000);
    expect(config.allowlist.texts()).toEqual(['10.0.0.0/8', 'db.internal', '*.example.com']);
    expect(config.server.host).toBe('gw.internal.example');
    expect(config.server.port).toBe(8443);
    expect(config.server.trust).toHaveLength(2);
    expect(config.server.trust[0]).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it('accepts what the reference’s config-rs accepts: "0" durations, a port as a numeric string', () => {
    const config = parse(
      `secret-key = "${SECRET}"\nconnect-timeout = 0\n[server]\nhost = "gw.example"\nport = "8443"\n`,
    );
    expect(config.connectTimeoutMs).toBe(0);
    expect(config.server.port).toBe(8443);
  });

  it('gives the UI everything but the secret key', () => {
    const publicConfig = toPublicConfig(
      parse(`secret-key = "${SECRET}"\nallowed-addresses = ["db.internal"]\n${SERVER}port = 7000\n`),
    );
    expect(publicConfig).toEqual({
      path: FILE,
      agentId: vector.agent_id,
      server: { host: 'gateway.example.com', port: 7000 },
      allowedAddresses: ['db.internal'],
      connectTimeoutMs: 30_000,
      pingFrequencyMs: 60_000,
    });
  });
});

describe('the secret key never shows in a printed config', () => {
  const config = parse(vector.toml_example);
  const renderings = {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the conversion under test
    'String()': String(config),
    'JSON.stringify': JSON.stringify(config),
    'util.inspect': inspect(config, { depth: null, showHidden: true }),
    'toPublicConfig JSON': JSON.stringify(toPublicConfig(config)),
  };

  it.each(Object.entries(renderings))('%s contains neither the key text nor its bytes', (_, text) => {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(vector.secret_key_hex);
    expect(text).not.toContain(Buffer.from(vector.secret_key_hex, 'hex').toString('base64'));
  });

  it('shows the redaction marker where the key is', () => {
    expect(renderings['JSON.stringify']).toContain(REDACTED_SECRET_KEY);
    expect(renderings['util.inspect']).toContain(REDACTED_SECRET_KEY);
  });
});

/** Where the CLI tells an operator to get the key: never only "run --gen-keypair" (a fresh key is unknown to Cluvio). */
const KEY_SOURCE =
  "this agent's key from the cluvio-agent.toml Cluvio gave you; for a self-hosted gateway, the secret-key of a pair from `cluvio-agent --gen-keypair` whose public-key the gateway knows";

describe('each invalid key is refused with the file, the key and a valid example', () => {
  it.each([
    [
      'missing secret-key',
      SERVER,
      'secret-key',
      `missing configuration field "secret-key": add secret-key = "…", ${KEY_SOURCE}`,
    ],
    [
      'padded secret-key',
      `secret-key = "${SECRET}="\n${SERVER}`,
      'secret-key',
      `invalid base64: padding "=" is not allowed (base64url uses A–Z, a–z, 0–9, "-" and "_" without "=" padding); expected the 43-character secret-key, ${KEY_SOURCE}`,
    ],
    [
      'short secret-key',
      `secret-key = "abc"\n${SERVER}`,
      'secret-key',
      `invalid length: a key is 32 bytes (43 base64url characters), this decodes to 2 bytes; expected the 43-character secret-key, ${KEY_SOURCE}`,
    ],
    [
      'secret-key as an array',
      `secret-key = ["a"]\n${SERVER}`,
      'secret-key',
      `invalid type: sequence, expected a string: the 43-character secret-key, ${KEY_SOURCE}`,
    ],
    [
      'duration without unit',
      `secret-key = "${SECRET}"\nconnect-timeout = "30"\n${SERVER}`,
      'connect-timeout',
      'invalid duration "30": time unit needed, for example 30sec or 30ms; expected a number with a unit, e.g. "30s" or "1m 30s"',
    ],
    [
      'duration as a bare TOML integer',
      `secret-key = "${SECRET}"\nping-frequency = 60\n${SERVER}`,
      'ping-frequency',
      'invalid duration "60": time unit needed, for example 60sec or 60ms; expected a number with a unit, e.g. "30s" or "1m 30s"',
    ],
    [
      'unknown duration unit',
      `secret-key = "${SECRET}"\nping-frequency = "10nights"\n${SERVER}`,
      'ping-frequency',
      'invalid duration "10nights": unknown time unit "nights", supported units: ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations); expected a number with a unit, e.g. "30s" or "1m 30s"',
    ],
    [
      'allowed-addresses as a string',
      `secret-key = "${SECRET}"\nallowed-addresses = "10.0.0.0/8"\n${SERVER}`,
      'allowed-addresses',
      'invalid type: string "10.0.0.0/8", expected an array of strings, e.g. ["10.0.0.0/8", "db.internal", "*.example.com"]',
    ],
    [
      'empty allowed-addresses',
      `secret-key = "${SECRET}"\nallowed-addresses = []\n${SERVER}`,
      'allowed-addresses',
      'empty vector: list at least one entry, e.g. ["0.0.0.0/0", "::/0", "*."] to allow everything',
    ],
    [
      'a bare IP address in allowed-addresses',
      `secret-key = "${SECRET}"\nallowed-addresses = ["10.0.0.0/8", "10.0.0.1"]\n${SERVER}`,
      'allowed-addresses[1]',
      'network syntax error; neither IP address nor DNS name (pattern): "10.0.0.1" (a single address needs a prefix length: "10.0.0.1/32"); expected an IP network in CIDR form ("10.0.0.0/8", "fd00::/8"), a DNS name ("db.internal") or a pattern ("*.example.com", or "*." for any name)',
    ],
    [
      'a bad pattern in allowed-addresses',
      `secret-key = "${SECRET}"\nallowed-addresses = ["*.*.com"]\n${SERVER}`,
      'allowed-addresses[0]',
      'network syntax error; neither IP address nor DNS name (pattern): "*.*.com"; expected an IP network in CIDR form ("10.0.0.0/8", "fd00::/8"), a DNS name ("db.internal") or a pattern ("*.example.com", or "*." for any name)',
    ],
    [
      'missing [server]',
      `secret-key = "${SECRET}"\n`,
      'server',
      'missing configuration field "server": add a [server] table with host = "gateway.eu.cluvio.com"',
    ],
    [
      'server as a number',
      `secret-key = "${SECRET}"\nserver = 5\n`,
      'server',
      'invalid type: number 5, expected a [server] table with host = "gateway.eu.cluvio.com"',
    ],
    [
      'missing host',
      `secret-key = "${SECRET}"\n[server]\nport = 443\n`,
      'server.host',
      'missing configuration field "server.host": add host = "gateway.eu.cluvio.com" under [server]',
    ],
    [
      'host as an IP literal',
      `secret-key = "${SECRET}"\n[server]\nhost = "1.2.3.4"\n`,
      'server.host',
      'invalid hostname: not a DNS name: `1.2.3.4`; the gateway is named by DNS (TLS checks its certificate against the name), e.g. "gateway.eu.cluvio.com"',
    ],
    [
      'host that is no DNS name',
      `secret-key = "${SECRET}"\n[server]\nhost = "bad host"\n`,
      'server.host',
      'invalid hostname: `bad host` is not a valid DNS name; expected e.g. "gateway.eu.cluvio.com"',
    ],
    [
      'port out of range',
      `secret-key = "${SECRET}"\n${SERVER}port = 70000\n`,
      'server.port',
      'invalid port 70000: expected an integer from 0 to 65535, e.g. 443',
    ],
    [
      'negative port',
      `secret-key = "${SECRET}"\n${SERVER}port = -1\n`,
      'server.port',
      'invalid port -1: expected an integer from 0 to 65535, e.g. 443',
    ],
    [
      'fractional port',
      `secret-key = "${SECRET}"\n${SERVER}port = 1.5\n`,
      'server.port',
      'invalid port 1.5: expected an integer from 0 to 65535, e.g. 443',
    ],
    [
      'port beyond the safe integer range',
      `secret-key = "${SECRET}"\n${SERVER}port = 9223372036854775807\n`,
      'server.port',
      'invalid port 9223372036854775807: expected an integer from 0 to 65535, e.g. 443',
    ],
    [
      'port as a boolean',
      `secret-key = "${SECRET}"\n${SERVER}port = true\n`,
      'server.port',
      'invalid port boolean true: expected an integer from 0 to 65535, e.g. 443',
    ],
    [
      'port as a word',
      `secret-key = "${SECRET}"\n${SERVER}port = "https"\n`,
      'server.port',
      'invalid port "https": expected an integer from 0 to 65535, e.g. 443',
    ],
    [
      'trust without a certificate',
      `secret-key = "${SECRET}"\n${SERVER}trust = "not a pem"\n`,
      'server.trust',
      'no certificate found; expected PEM text with at least one "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block',
    ],
    [
      'trust with an undecodable certificate',
      `secret-key = "${SECRET}"\n${SERVER}trust = """\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"""\n`,
      'server.trust',
      /^invalid certificate: not a DER X\.509 certificate \(.*\); expected PEM text with at least one "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block$/,
    ],
  ])('%s', (_, text, key, message) => {
    const error = failure(text);
    expect(error.reason).toBe('invalid');
    expect(error.problem.file).toBe(FILE);
    expect(error.problem.key).toBe(key);
    // The CLI's line: the reference's leading words and a fix for an operator.
    expect(error.message.startsWith(`${FILE}: ${key}: `)).toBe(true);
    expect(error.message.slice(`${FILE}: ${key}: `.length)).toMatch(
      typeof message === 'string' ? new RegExp(`^${escapeRegExp(message)}$`) : message,
    );
    // The UI's problem: plain words without markup, a fix that never sends a user to make up a key.
    expect(error.problem.message).not.toMatch(/`/);
    expect(error.problem.fix ?? '').not.toMatch(/`|gen-keypair/);
    expect(error.problem.fix?.length).toBeGreaterThan(20);
  });

  it('refuses a trust value that is not a string', () => {
    expect(failure(`secret-key = "${SECRET}"\n${SERVER}trust = ["x"]\n`).message).toBe(
      `${FILE}: server.trust: invalid type: sequence, expected a PEM string with at least one "-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----" block`,
    );
  });

  it('never quotes a rejected secret-key back', () => {
    const almost = `${SECRET.slice(0, 42)}t`;
    const error = failure(`secret-key = "${almost}"\n${SERVER}`);
    expect(error.message).not.toContain(almost.slice(0, 20));
  });

  it('reports a TOML syntax error with its line and column', () => {
    const error = failure(`secret-key = "${SECRET}"\n[server\nhost = "x"\n`);
    expect(error.reason).toBe('syntax');
    expect(error.problem.key).toBeNull();
    expect(error.message).toBe(
      `${FILE}: TOML parse error at line 2, column 8: Unexpected character, expected whitespace, . or ]`,
    );
  });

  it('reports the first problem in the reference’s field order', () => {
    expect(failure('connect-timeout = "x"\n').problem.key).toBe('secret-key');
    expect(failure(`secret-key = "${SECRET}"\nping-frequency = "x"\nallowed-addresses = []\n`).problem.key).toBe(
      'ping-frequency',
    );
  });
});

describe('environment overrides (§8.1)', () => {
  const base = `secret-key = "${SECRET}"\n[server]\nhost = "file.example.com"\nport = 1000\n`;

  it('lets CLUVIO_AGENT_SERVER_HOST/PORT/TRUST win over the file, variable names case-insensitive', () => {
    const config = parse(base, {
      cluvio_agent_server_host: 'env.example.com',
      CLUVIO_AGENT_SERVER_PORT: '2000',
      CLUVIO_AGENT_SERVER_TRUST: TEST_CA_PEM,
    });
    expect(config.server.host).toBe('env.example.com');
    expect(config.server.port).toBe(2000);
    expect(config.server.trust).toHaveLength(1);
    expect(config.envOverrides.map((override) => override.variable).sort()).toEqual([
      'CLUVIO_AGENT_SERVER_PORT',
      'CLUVIO_AGENT_SERVER_TRUST',
      'cluvio_agent_server_host',
    ]);
  });

  it('supplies a [server] the file lacks', () => {
    const config = parse(`secret-key = "${SECRET}"\n`, { CLUVIO_AGENT_SERVER_HOST: 'env.example.com' });
    expect(config.server).toEqual({ host: 'env.example.com', port: 443, trust: [] });
  });

  it('does not ignore empty variables, and names the variable in the message', () => {
    const error = failure(base, { CLUVIO_AGENT_SERVER_PORT: '' });
    expect(error.problem.key).toBe('server.port');
    expect(error.message).toBe(
      `${FILE}: server.port: invalid port "" (set by environment variable CLUVIO_AGENT_SERVER_PORT): expected an integer from 0 to 65535, e.g. 443`,
    );
    expect(error.problem.fix).toBe(
      'The value comes from the environment variable CLUVIO_AGENT_SERVER_PORT: correct it or unset it.',
    );
    expect(failure(base, { CLUVIO_AGENT_SERVER_HOST: '' }).message).toMatch(
      /: server\.host: invalid hostname: `` is not a valid DNS name \(set by environment variable CLUVIO_AGENT_SERVER_HOST\)/,
    );
  });

  it('refuses an IP literal from the environment as from the file', () => {
    expect(failure(base, { CLUVIO_AGENT_SERVER_HOST: '10.0.0.1' }).message).toMatch(
      /: server\.host: invalid hostname: not a DNS name: `10\.0\.0\.1` \(set by environment variable/,
    );
  });

  it('has no effect through CLUVIO_AGENT_SECRET_KEY or other unreachable keys', () => {
    const config = parse(base, {
      CLUVIO_AGENT_SECRET_KEY: 'junk',
      CLUVIO_AGENT_CONNECT_TIMEOUT: 'junk',
      CLUVIO_AGENT_PING_FREQUENCY: 'junk',
    });
    expect(config.agentId).toBe(vector.agent_id);
    expect(config.connectTimeoutMs).toBe(30_000);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

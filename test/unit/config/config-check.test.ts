/**
 * Every problem of a file at once (issue 18): each bad key and each bad allowlist entry with its
 * index, with its value (never the secret key's) and a fix for the app; unknown keys as warnings
 * with the key they most likely meant. The CLI's first line stays the reference's first error.
 */
import { describe, expect, it } from 'vitest';
import { checkAgentConfig, parseAgentConfig } from '../../../src/tunnel/config/agent-config.js';
import { ConfigError } from '../../../src/tunnel/config/config-error.js';
import { vectorNamed } from '../../support/vectors.js';

const vector = vectorNamed('config_keypair', 'config');
const SECRET = vector.secret_key_b64url;
const FILE = '/home/u/.config/cluvio-agent.toml';

function check(text: string) {
  return checkAgentConfig(text, { file: FILE, env: {} });
}

/** A file Cluvio would never write: five mistakes, one in each part. */
export const FIVE_ERRORS = [
  `secret-key = "${SECRET.slice(0, 20)}"`,
  'connect-timeout = "30"',
  'allowed-addresses = ["10.0.0.0/8", "10.0.0.1", "*.*.com"]',
  '[server]',
  'host = "10.1.2.3"',
  '',
].join('\n');

describe('checkAgentConfig: every problem at once', () => {
  it('a file with five mistakes gets five issues, in the reference’s field order, allowlist entries by index', () => {
    const checked = check(FIVE_ERRORS);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.reason).toBe('invalid');
    expect(checked.issues.map((issue) => issue.key)).toEqual([
      'secret-key',
      'connect-timeout',
      'allowed-addresses[1]',
      'allowed-addresses[2]',
      'server.host',
    ]);
    expect(checked.issues.map((issue) => issue.value)).toEqual([
      '20 characters (not shown)',
      '"30"',
      '"10.0.0.1"',
      '"*.*.com"',
      '"10.1.2.3"',
    ]);
    expect(checked.issues[2]?.fix).toBe('Write it as "10.0.0.1/32".');
    for (const issue of checked.issues) {
      expect(issue.summary, issue.key ?? '').not.toMatch(/`/);
      expect(issue.fix, issue.key ?? '').not.toMatch(/`|gen-keypair/);
      expect(JSON.stringify(issue)).not.toContain(SECRET.slice(0, 20));
    }
  });

  it('parseAgentConfig throws them all; its message is the first, as the CLI has always printed it', () => {
    let error: unknown;
    try {
      parseAgentConfig(FIVE_ERRORS, { file: FILE, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const refused = error as ConfigError;
    expect(refused.message).toMatch(new RegExp(`^${FILE}: secret-key: invalid length: `));
    expect(refused.lines).toHaveLength(5);
    expect(refused.lines[1]).toBe(
      `${FILE}: connect-timeout: invalid duration "30": time unit needed, for example 30sec or 30ms; expected a number with a unit, e.g. "30s" or "1m 30s"`,
    );
    expect(refused.problems.map((p) => [p.key, p.value])).toEqual(
      refused.issues.map((issue) => [issue.key, issue.value]),
    );
  });

  it('an empty list and a wrong type are one issue each; a good allowlist beside them is not reported', () => {
    const checked = check(
      `secret-key = "${SECRET}"\nallowed-addresses = []\nping-frequency = []\n[server]\nport = "x"\n`,
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues.map((issue) => [issue.key, issue.value])).toEqual([
      ['ping-frequency', 'a list of 0'],
      ['allowed-addresses', '[]'],
      ['server.host', null],
      ['server.port', '"x"'],
    ]);
  });

  it('a hostile file with 100,000 bad entries gets 50 listed and a count of the rest', () => {
    const entries = Array.from({ length: 100_000 }, () => '"x y"').join(',');
    const checked = check(
      `secret-key = "${SECRET}"\nallowed-addresses = [${entries}]\n[server]\nhost = "gw.example.com"\n`,
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues).toHaveLength(51);
    expect(checked.issues[49]?.key).toBe('allowed-addresses[49]');
    expect(checked.issues[50]?.summary).toBe('99950 more problems not listed');
  });

  it('a TOML syntax error is reported alone, with its line, and a fix that says which line', () => {
    const checked = check(`secret-key = "${SECRET}"\n[server\nhost = "x"\n`);
    expect(checked).toMatchObject({ ok: false, reason: 'syntax' });
    if (checked.ok) return;
    expect(checked.issues).toHaveLength(1);
    expect(checked.issues[0]?.fix).toContain('(line 2)');
  });
});

describe('unknown keys: warnings with "did you mean", never errors, never their values', () => {
  it('a valid file with misspelt keys loads, and each misspelling names the key it meant', () => {
    const checked = check(
      [
        `secret-key = "${SECRET}"`,
        'allowed_addresses = ["10.0.0.0/8"]',
        'ping-frequncy = "20s"',
        'host = "gateway.example.com"',
        'colour = "blue"',
        '[server]',
        'host = "gateway.example.com"',
        'prot = 8443',
        '',
      ].join('\n'),
    );
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.config.warnings.map((w) => [w.key, w.fix])).toEqual([
      [
        'allowed_addresses',
        'Did you mean "allowed-addresses"? Rename it: until then the agent uses the default for "allowed-addresses".',
      ],
      [
        'ping-frequncy',
        'Did you mean "ping-frequency"? Rename it: until then the agent uses the default for "ping-frequency".',
      ],
      ['host', 'Did you mean "server.host"? Rename it: until then the agent uses the default for "server.host".'],
      ['colour', 'Remove the line, or download the configuration from Cluvio again.'],
      [
        'server.prot',
        'Did you mean "server.port"? Rename it: until then the agent uses the default for "server.port".',
      ],
    ]);
  });

  it('a misspelt secret key is named as such, its value never shown', () => {
    const checked = check(`secret_key = "${SECRET}"\n[server]\nhost = "gateway.example.com"\n`);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues.map((issue) => issue.key)).toEqual(['secret-key']);
    expect(checked.warnings.map((w) => w.message)).toEqual([
      'unknown key "secret_key": the agent ignores it; did you mean "secret-key"?',
    ]);
    expect(JSON.stringify(checked)).not.toContain(SECRET);
  });

  it('thousands of unknown keys give a bounded list of warnings', () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `key${i} = ${i}`);
    const checked = check(`secret-key = "${SECRET}"\n${lines.join('\n')}\n[server]\nhost = "gateway.example.com"\n`);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.config.warnings).toHaveLength(21);
    expect(checked.config.warnings.at(-1)?.summary).toBe('4980 more unknown keys: the agent ignores them');
  });
});

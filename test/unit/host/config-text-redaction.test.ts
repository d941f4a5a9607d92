/**
 * A configuration file that did not parse, as the support bundle writes it: no secret key left
 * in it, in any TOML spelling (generated corpus, test/security/support/secret-corpus.ts), while
 * the rest of the file stays readable; a file that does parse is handled the same way (the
 * spellings are real TOML: the TOML parser reads the key from them).
 */
import { parse as parseToml } from '@iarna/toml';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  redactLongRuns,
  redactSecretKeyValues,
  redactUnparsedConfig,
} from '../../../src/host/config-text-redaction.js';
import { SecretKey } from '../../../src/tunnel/auth/secret-key.js';
import { keyedConfig, keySpellings, leaks } from '../../security/support/secret-corpus.js';

const key = SecretKey.generate().exportBase64url();

describe('a configuration text that did not parse, redacted for the support bundle', () => {
  it('no generated spelling of the key survives, and the rest of the file does (3,000 files)', () => {
    let parsed = 0;
    fc.assert(
      fc.property(keyedConfig, (config) => {
        const out = redactUnparsedConfig(config.text);
        const leaked = leaks(out, config.keys.flatMap(keySpellings));
        if (leaked !== null) throw new Error(`leaked ${leaked} from:\n${config.text}\n--- as:\n${out}`);
        // The rest stays readable (where no `"""` may run the key's value to the end of the file).
        if (!config.text.includes('"""')) expect(out).toContain('host = "gw.example.com"');
        // Where the TOML parser reads the file, it reads the key from it: the spelling is real.
        try {
          // CRLF as LF: @iarna/toml refuses a CR in a comment (TOML allows it; the reference agent reads it).
          const toml = parseToml(config.text.replace(/\r\n/g, '\n')) as Record<string, unknown>;
          const value = Object.entries(toml).find(([name]) => name.toLowerCase() === 'secret-key')?.[1];
          if (typeof value === 'string' && config.keys[0]?.includes(value.replace(/[ .]/, '').slice(0, 40)) === true)
            parsed += 1;
        } catch {
          // a broken file, as intended for some spellings
        }
      }),
      { numRuns: 3000, seed: 1616 },
    );
    // A good part of the corpus is valid TOML holding the key (not only broken text).
    expect(parsed).toBeGreaterThan(300);
  });

  it('replaces the value of every secret-key assignment, whatever the spelling of the name and value', () => {
    const cases: [string, string][] = [
      [`secret-key = "${key}"`, 'secret-key = "[redacted]"'],
      [`"secret-key"='${key}'`, '"secret-key"="[redacted]"'],
      [`'secret-key' = """\n${key}"""`, `'secret-key' = "[redacted]"`],
      [`"secret\\u002dkey" = '''${key}'''`, `"secret\\u002dkey" = "[redacted]"`],
      [`SECRET-KEY = "abc\\\n  def"`, 'SECRET-KEY = "[redacted]"'],
      [`a."secret-key".b = "x"`, 'a."secret-key".b = "[redacted]"'],
      [`x = { secret-key = "${key}", y = 1 }`, 'x = { secret-key = "[redacted]", y = 1 }'],
      [`secret-key = ["a", "b"] # c`, 'secret-key = "[redacted]" # c'],
      [`secret-key = not toml at all`, 'secret-key = "[redacted]"'],
      [`secret-key\n= "abc"`, 'secret-key\n= "[redacted]"'],
    ];
    for (const [line, expected] of cases)
      expect(redactSecretKeyValues(`${line}\nnext = 1\n`)).toBe(`${expected}\nnext = 1\n`);
    // An unclosed multi-line value runs to the end of the file: all of it goes.
    expect(redactSecretKeyValues(`a = 1\nsecret-key = """${key}\nb = 2\n`)).toBe('a = 1\nsecret-key = "[redacted]"');
    // Other keys, even ones that contain the name, are left alone.
    expect(redactSecretKeyValues('my-secret-key = "x"\nsecret-keys = "y"\n')).toBe(
      'my-secret-key = "x"\nsecret-keys = "y"\n',
    );
  });

  it('replaces every run of 43 or more base64 characters, across continuations and escapes; shorter runs stay', () => {
    expect(redactLongRuns(`# old key: ${key}\n`)).toBe('# old key: [redacted]\n');
    expect(redactLongRuns(`x = "${key.slice(0, 20)}\\\n   ${key.slice(20)}"`)).toBe('x = "[redacted]"');
    expect(redactLongRuns(`x = "\\u0041${key.slice(1)}"`)).toBe('x = "[redacted]"');
    expect(redactLongRuns(`hex ${Buffer.from(key, 'base64url').toString('hex')} end`)).toBe('hex [redacted] end');
    const short = 'a'.repeat(42);
    expect(redactLongRuns(`${short} host = "gw.example.com" /etc/cluvio-agent.toml`)).toBe(
      `${short} host = "gw.example.com" /etc/cluvio-agent.toml`,
    );
  });

  it('takes time linear in the length of hostile text (no backtracking blow-up)', () => {
    // Shapes that make naive scanners quadratic: long dotted paths, unclosed quotes, escapes.
    for (const text of [
      'a.'.repeat(200_000),
      '"\\"'.repeat(100_000),
      `${'"x".'.repeat(50_000)}${'b'.repeat(100_000)}`,
      `secret-key = [${'['.repeat(100_000)}`,
      '\\u0041'.repeat(50_000),
    ]) {
      const out = redactUnparsedConfig(text);
      expect(typeof out).toBe('string');
    }
  }, 20_000);
});

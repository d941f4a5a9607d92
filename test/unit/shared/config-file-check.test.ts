import { describe, expect, it } from 'vitest';
import {
  checkConfigFileBytes,
  checkConfigText,
  formatFileSize,
  MAX_CONFIG_FILE_BYTES,
} from '../../../src/shared/config-file-check.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('the checks before a configuration file is read as TOML', () => {
  it('passes text through unchanged', () => {
    expect(checkConfigFileBytes('a.toml', bytes('secret-key = "x"\r\n\ttrust = 1\n'))).toEqual({
      ok: true,
      text: 'secret-key = "x"\r\n\ttrust = 1\n',
    });
  });

  it.each([
    ['empty', bytes(''), 'The file is empty.'],
    ['blank', bytes(' \n\n\t'), 'The file is empty.'],
    ['a NUL byte', bytes('secret-key = "x"\u0000'), 'This is not a text file'],
    ['a control character', bytes('\u0007ding'), 'This is not a text file'],
    ['invalid UTF-8', new Uint8Array([0xc3, 0x28]), 'This is not a text file'],
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'This is not a text file'],
  ])('%s: says so, with a fix and no key', (_, content, words) => {
    const checked = checkConfigFileBytes('f.toml', content);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problem).toMatchObject({ file: 'f.toml', key: null });
    expect(checked.problem.message).toContain(words);
    expect(checked.problem.fix).toContain('cluvio-agent.toml you downloaded from Cluvio');
  });

  it('one byte over the limit: refused, naming its size and the limit', () => {
    const checked = checkConfigFileBytes('big.toml', new Uint8Array(MAX_CONFIG_FILE_BYTES + 1));
    expect(checked.ok ? '' : checked.problem.message).toBe(
      'The file is 1.0 MiB: a configuration file is at most 1 MiB (the one Cluvio gives you is a few KiB).',
    );
    expect(checkConfigFileBytes('ok.toml', bytes('x'.repeat(MAX_CONFIG_FILE_BYTES))).ok).toBe(true);
  });

  it('text that arrived decoded already: a replacement character means a binary file was read as text', () => {
    expect(checkConfigText('f.toml', 'secret-key = "\ufffd"')?.message).toContain('This is not a text file');
    expect(checkConfigText('f.toml', 'host = "gateway.example.com" # ünïcödé ✓')).toBeNull();
  });

  it('sizes read as people say them', () => {
    expect([1, 1023, 1024, 1536, 300 * 1024, 5 * 1024 * 1024, 5.25 * 1024 * 1024].map(formatFileSize)).toEqual([
      '1 byte',
      '1023 bytes',
      '1 KiB',
      '1.5 KiB',
      '300 KiB',
      '5 MiB',
      '5.3 MiB',
    ]);
  });
});

/**
 * A file given to the app by path (command line, open with, the Dock, the tray's picker): read
 * with the same checks as a drop in the window, before the host sees any of it.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { confirmationMessage, problemsMessage, readConfigFileForImport } from '../../../src/main/import-config-file.js';
import { configDifference, describeDifference } from '../../../src/shared/config-difference.js';
import type { PublicConfig } from '../../../src/shared/agent-state.js';

const config = (agentId: string, host: string, allowed: string[]): PublicConfig => ({
  path: null,
  agentId,
  server: { host, port: 443 },
  allowedAddresses: allowed,
  connectTimeoutMs: 30_000,
  pingFrequencyMs: 60_000,
});

describe('reading a file given by path', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-open-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a text file as the request the window would send', async () => {
    const file = path.join(dir, 'downloaded.toml');
    await writeFile(file, 'secret-key = "x"\n');
    expect(await readConfigFileForImport(file)).toEqual({
      ok: true,
      request: { fileName: 'downloaded.toml', text: 'secret-key = "x"\n' },
    });
  });

  it('refuses a file over the limit without reading it, saying its size and the limit', async () => {
    const file = path.join(dir, 'huge.toml');
    await writeFile(file, '');
    await truncate(file, 5 * 1024 * 1024); // sparse: 5 MiB that were never written
    const read = await readConfigFileForImport(file);
    expect(read).toMatchObject({ ok: false, problems: [{ file: 'huge.toml', key: null }] });
    expect(read.ok ? '' : read.problems[0]?.message).toBe(
      'The file is 5 MiB: a configuration file is at most 1 MiB (the one Cluvio gives you is a few KiB).',
    );
  });

  it.each([
    ['an empty file', '', 'The file is empty.'],
    ['only blank lines', '\n  \n', 'The file is empty.'],
    ['a binary file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'This is not a text file'],
    ['invalid UTF-8', Buffer.from([0x73, 0x65, 0xff, 0xfe, 0x0a]), 'This is not a text file'],
  ])('says what is wrong with %s', async (_, content, words) => {
    const file = path.join(dir, 'odd.toml');
    await writeFile(file, content);
    const read = await readConfigFileForImport(file);
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.problems[0]?.message).toContain(words);
  });

  it('a folder and a missing file are refused plainly', async () => {
    expect(await readConfigFileForImport(dir)).toMatchObject({
      ok: false,
      problems: [{ message: 'This is not a file.' }],
    });
    const missing = await readConfigFileForImport(path.join(dir, 'nope.toml'));
    expect(missing.ok ? '' : missing.problems[0]?.message).toMatch(/^The file cannot be read: ENOENT/);
  });
});

describe('the dialogs', () => {
  it('a refused file: nothing changed, each problem with its key, value and fix', () => {
    const message = problemsMessage('bad.toml', [
      {
        file: 'bad.toml',
        key: 'server.host',
        value: '"10.0.0.1"',
        message: 'invalid hostname',
        fix: 'Download it again.',
      },
    ]);
    expect(message).toEqual({
      type: 'error',
      message: 'bad.toml was not imported',
      detail: 'Nothing was changed.\n\nserver.host ("10.0.0.1"): invalid hostname\n   Download it again.',
    });
  });

  it('the question before a replacement names the gateway, the agent ID and the allowed addresses that change', () => {
    const before = config('OLD', 'gateway.eu.cluvio.com', ['10.0.0.0/8']);
    const after = config('NEW', 'gateway.us.cluvio.com', ['10.0.0.0/8', 'db.internal']);
    const difference = configDifference(before, after);
    const message = confirmationMessage({
      fileName: 'cluvio-agent.toml',
      config: after,
      difference,
      changes: describeDifference(difference),
      warnings: [],
    });
    expect(message.message).toBe("Replace the agent's configuration with cluvio-agent.toml?");
    expect(message.detail.split('\n').slice(0, 3)).toEqual([
      'Gateway: gateway.eu.cluvio.com:443 → gateway.us.cluvio.com:443',
      'Agent ID: OLD → NEW (another agent in Cluvio)',
      'Allowed addresses added: db.internal',
    ]);
    expect(message.buttons).toEqual(['Replace', 'Cancel']);
  });
});

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogFileSink, type FileLogLevel } from '../../../src/main/log-file-sink.js';
import { rotateLogArchives } from '../../../src/main/log-rotation.js';
import { unconfiguredHost } from '../host/support/unconfigured-host.js';

describe('log file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cluvio-log-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rotation keeps the newest archives: main.log → main.1.log → main.2.log, the oldest dropped', async () => {
    const file = path.join(dir, 'main.log');
    for (const n of [1, 2, 3, 4]) {
      await writeFile(file, `generation ${n}\n`);
      rotateLogArchives(file, 3);
    }
    expect((await readdir(dir)).sort()).toEqual(['main.1.log', 'main.2.log', 'main.3.log']);
    expect(await readFile(path.join(dir, 'main.1.log'), 'utf8')).toBe('generation 4\n');
    expect(await readFile(path.join(dir, 'main.3.log'), 'utf8')).toBe('generation 2\n');
  });

  it('writes records at the threshold and above as text lines with their fields', () => {
    const lines: [FileLogLevel, string][] = [];
    const sink = createLogFileSink((level, line) => lines.push([level, line]), 'info');
    const base = { seq: 1, time: Date.UTC(2025, 10, 25, 16, 33, 7, 123), module: 'cluvio_agent::agent', fields: {} };
    sink({ ...base, level: 'debug', message: 'frame' });
    sink({ ...base, level: 'info', message: 'connected', fields: { server: 'gw.example.com', attempt: 2 } });
    sink({ ...base, level: 'trace', message: 'bytes' });
    sink({ ...base, level: 'error', message: 'refused', fields: { reason: 'connection refused' } });
    expect(lines).toEqual([
      ['info', '2025-11-25T16:33:07.123Z INFO  cluvio_agent::agent: connected server=gw.example.com attempt=2'],
      ['error', '2025-11-25T16:33:07.123Z ERROR cluvio_agent::agent: refused reason="connection refused"'],
    ]);
  });

  it('fed through the host, a secret never reaches the file, even from the shell’s own records', async () => {
    const host = unconfiguredHost(dir);
    const lines: string[] = [];
    host.onLogRecord(createLogFileSink((_level, line) => lines.push(line), 'trace'));
    host.record('warn', 'cluvio_agent_desktop::main', 'odd field', {
      'secret-key': 'q0TxV1Yb5qHnGZ0mB3n9l8k0G6Y1Xy2cRk2m4Vt7N8s',
    });
    await host.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('secret-key=[redacted]');
    expect(lines[0]).not.toContain('q0TxV1Yb5');
  });
});

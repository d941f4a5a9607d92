/**
 * V8 settings are the process's: the entry points set them, no engine module does (issue 17 item 4),
 * and the flags the scripts' shebang lines give node are the ones tests and benchmarks start the
 * scripts with (RELAY_NODE_FLAGS).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RELAY_NODE_FLAGS } from '../../../src/tunnel/mux/index.js';
import { repoRoot } from '../../support/vectors.js';

/** Every .ts file under `dir`, relative to the repository. */
function sources(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)));
}

const ENTRY_POINTS = [
  'src/cli/agent.ts',
  'src/cli/agent-executable.ts',
  'src/cli/gateway.ts',
  'src/cli/demo.ts',
  'src/main/main.ts',
];
const SCRIPTS = ['src/cli/agent.ts', 'src/cli/gateway.ts'];

describe('process-wide V8 settings', () => {
  it('only heap-tuning.ts changes V8 flags, and only the entry points call it', () => {
    const files = sources('src');
    const flagSetters = files.filter((file) =>
      readFileSync(path.join(repoRoot, file), 'utf8').includes('setFlagsFromString'),
    );
    expect(flagSetters).toEqual(['src/tunnel/mux/heap-tuning.ts']);
    const callers = files.filter((file) =>
      /\btuneHeapForRelaying\(\)/.test(readFileSync(path.join(repoRoot, file), 'utf8')),
    );
    expect(callers.filter((file) => file !== 'src/tunnel/mux/heap-tuning.ts').sort()).toEqual([...ENTRY_POINTS].sort());
  });

  it('the single executable starts with RELAY_NODE_FLAGS (its execArgv)', () => {
    const build = readFileSync(path.join(repoRoot, 'build/package-cli/single-executable.ts'), 'utf8');
    expect(build).toContain('execArgv: [...RELAY_NODE_FLAGS]');
  });

  it.each(SCRIPTS)('%s starts node with RELAY_NODE_FLAGS (its shebang)', (script) => {
    const firstLine = readFileSync(path.join(repoRoot, script), 'utf8').split('\n')[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${RELAY_NODE_FLAGS.join(' ')}`);
  });
});

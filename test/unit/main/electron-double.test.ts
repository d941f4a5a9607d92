/**
 * The Electron double encodes only what Electron documents: every `[key]` in its comments is a
 * citation (support/electron-citations.ts), and every citation of electron.d.ts still says, on
 * the cited line of the installed typings, what is quoted. An Electron upgrade that changes one
 * fails here, pointing at the behaviour to re-check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS, TYPINGS } from './support/electron-citations.js';

const typings = readFileSync(path.resolve('node_modules', 'electron', 'electron.d.ts'), 'utf8').split('\n');
const double = readFileSync(path.resolve('test', 'unit', 'main', 'support', 'electron-double.ts'), 'utf8');

describe('the Electron double follows Electron’s documentation', () => {
  it('is written against the pinned Electron', () => {
    const pkg = JSON.parse(readFileSync(path.resolve('node_modules', 'electron', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(pkg.version).toBe('45.6.1');
  });

  it.each(Object.entries(TYPINGS))('electron.d.ts, %s', (_key, { line, text }) => {
    expect(typings[line - 1]).toContain(text);
  });

  it('cites only known sources, and uses every one', () => {
    const known = new Set([...Object.keys(TYPINGS), ...Object.keys(DOCS)]);
    const comments = double.split('\n').filter((line) => /^\s*(\/\/|\*)/.test(line));
    const cited = new Set(comments.flatMap((line) => [...line.matchAll(/\[([a-z]\w+)\]/g)].map((m) => m[1] ?? '')));
    // Strings naming a docs key (requireReady's second argument) count as citations too.
    for (const m of double.matchAll(/'(\w+AfterReady|\w+BeforeReady)'/g)) cited.add(m[1] ?? '');
    expect([...cited].filter((key) => !known.has(key))).toEqual([]);
    expect([...known].filter((key) => !cited.has(key))).toEqual([]);
  });
});

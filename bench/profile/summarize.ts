/**
 * Summarises V8 CPU profiles (`node --cpu-prof` writes them; `npm run bench -- --cpu-prof DIR`
 * profiles our agent processes) without a flame-graph tool: self time by function and by file,
 * and inclusive time of the functions that matter, as text.
 *
 *   node dist/bench/profile/summarize.js <file.cpuprofile> [--top 30] [--match mux/]
 *
 * Self time: samples whose innermost frame is the function. Inclusive time: samples with the
 * function anywhere on the stack (counted once per sample, so recursion does not inflate it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const clean = url.replace(/^file:\/\//, '');
  const dist = clean.indexOf('/dist/');
  if (dist >= 0) return clean.slice(dist + 6);
  const modules = clean.indexOf('/node_modules/');
  if (modules >= 0) return clean.slice(modules + 1);
  return clean.startsWith('node:') ? clean : path.basename(clean);
}

function functionKey(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  const url = shortUrl(frame.url);
  return url === '' ? name : `${name}  ${url}:${frame.lineNumber + 1}`;
}

function fileKey(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  return url === '' ? frame.functionName : url;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly selfByFunction: Map<string, number>;
  readonly selfByFile: Map<string, number>;
  readonly inclusiveByFunction: Map<string, number>;
}

export function summarize(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const inclusiveByFunction = new Map<string, number>();
  let totalMs = 0;
  const add = (map: Map<string, number>, key: string, ms: number): void => {
    map.set(key, (map.get(key) ?? 0) + ms);
  };
  for (let i = 0; i < profile.samples.length; i += 1) {
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(profile.samples[i] ?? -1);
    if (leaf === undefined) continue;
    totalMs += ms;
    add(selfByFunction, functionKey(leaf.callFrame), ms);
    add(selfByFile, fileKey(leaf.callFrame), ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node === undefined) break;
      const key = functionKey(node.callFrame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusiveByFunction, key, ms);
      }
    }
  }
  return { totalMs, selfByFunction, selfByFile, inclusiveByFunction };
}

function table(
  title: string,
  map: Map<string, number>,
  totalMs: number,
  top: number,
  match: string | undefined,
): string {
  const rows = [...map.entries()]
    .filter(([key]) => match === undefined || key.includes(match))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  return [
    title,
    ...rows.map(
      ([key, ms]) => `  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${key}`,
    ),
  ].join('\n');
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '30' }, match: { type: 'string' } },
  });
  const top = Number(values.top);
  for (const file of positionals) {
    const summary = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const busy = summary.totalMs - (summary.selfByFunction.get('(idle)') ?? 0);
    console.log(`${file}: ${summary.totalMs.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms busy (not idle)`);
    console.log(table('self time by file', summary.selfByFile, summary.totalMs, top, values.match));
    console.log(table('self time by function', summary.selfByFunction, summary.totalMs, top, values.match));
    console.log(table('inclusive time by function', summary.inclusiveByFunction, summary.totalMs, top, values.match));
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]))) main();

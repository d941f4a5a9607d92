/**
 * CPU time and resident memory of a process (or a process and all its descendants, for sshd,
 * which forks a process per connection), read from Linux's /proc: CPU time is the sum over the
 * process's threads of `/proc/<pid>/task/<tid>/schedstat` (nanoseconds on a CPU; the 10 ms
 * ticks of `/proc/<pid>/stat` utime + stime are the fallback), memory `VmRSS` of
 * `/proc/<pid>/status`. Threads are included; exited children are not.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second (`getconf CLK_TCK`): 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process (or thread) is gone
  }
}

/** CPU time of `pid` (all its threads) in seconds; 0 once it has exited. */
export function cpuSeconds(pid: number): number {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let ns = 0;
  for (const task of tasks) {
    const schedstat = read(`/proc/${pid}/task/${task}/schedstat`);
    if (schedstat === undefined) return tickCpuSeconds(pid);
    ns += Number(schedstat.split(' ')[0]);
  }
  return ns / 1e9;
}

/** utime + stime of `pid` in seconds (10 ms resolution). */
function tickCpuSeconds(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return 0;
  // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size of `pid` in bytes; 0 once it has exited. */
export function rssBytes(pid: number): number {
  const status = read(`/proc/${pid}/status`);
  const match = status === undefined ? null : /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** `pid` and every live descendant. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) {
    const parent = all[i] ?? 0;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      const children = read(`/proc/${parent}/task/${task}/children`) ?? '';
      for (const child of children.split(' ')) if (child.trim() !== '') all.push(Number(child));
    }
  }
  return all;
}

/** A process whose cost the benchmark reports; `tree`: with its descendants (sshd). */
export interface Measured {
  readonly pid: number;
  readonly tree: boolean;
}

export function measuredCpuSeconds(process: Measured): number {
  const pids = process.tree ? processTree(process.pid) : [process.pid];
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

export function measuredRssBytes(process: Measured): number {
  const pids = process.tree ? processTree(process.pid) : [process.pid];
  return pids.reduce((sum, pid) => sum + rssBytes(pid), 0);
}

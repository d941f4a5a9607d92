/**
 * Watches another process from the outside while an attack runs (Linux /proc): CPU time, resident
 * memory, and — for our agent — how long its `/healthz` takes to answer, sampled every
 * `intervalMs`. A probe that gets no answer within `probeTimeoutMs` counts as that long (and the
 * next one starts), so a frozen event loop shows up as a slow probe, never as a hung test.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const KIB = 1024;
/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on every Linux we run on). */
const CLOCK_TICKS = 100;

/** User + system CPU seconds the process has used so far, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces; the fields after it are plain numbers.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident and peak resident memory in bytes, or null once the process is gone. */
export function memoryOf(pid: number): { rss: number; peak: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * KIB;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Milliseconds until `url` answered 200, or `timeoutMs` if it did not answer (in time, or at all). */
export function probe(url: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve(response.statusCode === 200 ? performance.now() - started : timeoutMs);
      });
    });
    request.on('timeout', () => {
      request.destroy();
    });
    request.on('error', () => {
      resolve(timeoutMs);
    });
  });
}

export interface WatchReport {
  /** Seconds watched. */
  readonly seconds: number;
  /** CPU the process used while watched, in cores (1 = one core busy all the time). */
  readonly cores: number;
  readonly rssBefore: number;
  /** Highest resident memory sampled while watched. */
  readonly rssMax: number;
  /** The slowest `/healthz` answer, ms (the probe timeout when one got none); null without a URL. */
  readonly slowestHealthzMs: number | null;
  readonly healthzProbes: number;
}

export interface WatchOptions {
  readonly pid: number;
  /** `/healthz` to probe, if any. */
  readonly healthzUrl?: string;
  readonly intervalMs?: number;
  readonly probeTimeoutMs?: number;
}

export interface ProcessWatch {
  /** Stops watching and reports. */
  stop(): Promise<WatchReport>;
}

/** Starts watching `pid` now. */
export function watchProcess(options: WatchOptions): ProcessWatch {
  const { pid, healthzUrl } = options;
  const intervalMs = options.intervalMs ?? 250;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  const startedAt = performance.now();
  const cpuBefore = cpuSeconds(pid) ?? 0;
  const rssBefore = memoryOf(pid)?.rss ?? 0;
  let rssMax = rssBefore;
  let slowest = 0;
  let probes = 0;
  const watching = { stopped: false };

  const sampler = setInterval(() => {
    const memory = memoryOf(pid);
    if (memory !== null) rssMax = Math.max(rssMax, memory.rss);
  }, intervalMs);
  const prober = (async () => {
    if (healthzUrl === undefined) return;
    while (!watching.stopped) {
      const ms = await probe(healthzUrl, probeTimeoutMs);
      probes += 1;
      slowest = Math.max(slowest, ms);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();

  return {
    async stop() {
      watching.stopped = true;
      clearInterval(sampler);
      const seconds = (performance.now() - startedAt) / 1000;
      const cpuAfter = cpuSeconds(pid) ?? cpuBefore;
      const memory = memoryOf(pid);
      if (memory !== null) rssMax = Math.max(rssMax, memory.rss);
      await prober;
      return {
        seconds,
        cores: (cpuAfter - cpuBefore) / seconds,
        rssBefore,
        rssMax,
        slowestHealthzMs: healthzUrl === undefined ? null : slowest,
        healthzProbes: probes,
      };
    },
  };
}

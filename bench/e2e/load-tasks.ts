/** The load worker's tasks and what each returns (shared by load.ts and load-worker.ts). */
import type { Concurrent, Latency, SetupRate, Transfer } from './measurements.js';
import type { PgWorkload, PgWorkloadOptions } from './pg-workload.js';

export interface LoadTasks {
  bulkUp: { args: { port: number; bytes: number }; result: Transfer };
  bulkDown: { args: { port: number; bytes: number }; result: Transfer };
  concurrentDown: { args: { port: number; streams: number; bytes: number }; result: Concurrent };
  echo: { args: { port: number; count: number; maxMs: number }; result: Latency };
  setupRate: { args: { port: number; durationMs: number }; result: SetupRate };
  openIdle: { args: { port: number; count: number }; result: number };
  closeIdle: { args: Record<string, never>; result: null };
  pg: { args: PgWorkloadOptions; result: PgWorkload };
}

export type TaskName = keyof LoadTasks;

export interface TaskMessage<N extends TaskName = TaskName> {
  readonly id: number;
  readonly name: N;
  readonly args: LoadTasks[N]['args'];
}

export type TaskReply =
  { readonly id: number; readonly result: unknown } | { readonly id: number; readonly error: string };

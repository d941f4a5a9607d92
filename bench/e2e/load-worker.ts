/**
 * The load generator: a worker thread (its own core, beside the agent's and the gateway's
 * processes) that runs the clients' side of every measurement when load.ts asks.
 */
import { parentPort } from 'node:worker_threads';
import type { LoadTasks, TaskMessage, TaskName, TaskReply } from './load-tasks.js';
import { bulkDown, bulkUp, closeIdle, concurrentDown, echo, openIdle, setupRate } from './measurements.js';
import { pgWorkload } from './pg-workload.js';

type Handlers = { [N in TaskName]: (args: LoadTasks[N]['args']) => Promise<LoadTasks[N]['result']> };

const handlers: Handlers = {
  bulkUp: (a) => bulkUp(a.port, a.bytes),
  bulkDown: (a) => bulkDown(a.port, a.bytes),
  concurrentDown: (a) => concurrentDown(a.port, a.streams, a.bytes),
  echo: (a) => echo(a.port, a.count, a.maxMs),
  setupRate: (a) => setupRate(a.port, a.durationMs),
  openIdle: (a) => openIdle(a.port, a.count),
  closeIdle: async () => {
    await closeIdle();
    return null;
  },
  pg: (a) => pgWorkload(a),
};

function run<N extends TaskName>(message: TaskMessage<N>): Promise<unknown> {
  const handler = handlers[message.name] as (args: LoadTasks[N]['args']) => Promise<LoadTasks[N]['result']>;
  return handler(message.args);
}

parentPort?.on('message', (message: TaskMessage) => {
  run(message).then(
    (result) => parentPort?.postMessage({ id: message.id, result } satisfies TaskReply),
    (error: unknown) =>
      parentPort?.postMessage({
        id: message.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies TaskReply),
  );
});

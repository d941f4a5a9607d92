/** The orchestrator's handle on the load worker: typed tasks, one promise each. */
import { Worker } from 'node:worker_threads';
import type { LoadTasks, TaskName, TaskReply } from './load-tasks.js';

export class Load {
  readonly #worker = new Worker(new URL('./load-worker.js', import.meta.url));
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  constructor() {
    this.#worker.on('message', (reply: TaskReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if ('error' in reply) pending?.reject(new Error(reply.error));
      else pending?.resolve(reply.result);
    });
    this.#worker.on('error', (error: Error) => {
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
  }

  run<N extends TaskName>(name: N, args: LoadTasks[N]['args']): Promise<LoadTasks[N]['result']> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, name, args });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

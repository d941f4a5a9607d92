/**
 * One abort signal shared by many concurrent tasks without one listener per task on it.
 *
 * Each data stream (its Connect read, its target connect, its relay) and each diagnose probe
 * listens for the agent's stop. Given the agent's own signal, thousands of streams would each add
 * an 'abort' listener to that one EventTarget, and Node warns from the eleventh on
 * ("MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort listeners
 * added to [AbortSignal]"). Here the parent carries exactly one listener, and every task gets a
 * signal of its own (aborted with the parent's reason) that it releases when it ends.
 */

export interface ChildSignal {
  readonly signal: AbortSignal;
  /** The task is over: forget its signal (idempotent). */
  readonly release: () => void;
}

export class AbortFanout {
  readonly #parent: AbortSignal;
  readonly #children = new Set<AbortController>();

  constructor(parent: AbortSignal) {
    this.#parent = parent;
    parent.addEventListener(
      'abort',
      () => {
        const children = [...this.#children];
        this.#children.clear();
        for (const child of children) child.abort(parent.reason);
      },
      { once: true },
    );
  }

  /** A signal that aborts when the parent does (at once if it already has). */
  child(): ChildSignal {
    const controller = new AbortController();
    if (this.#parent.aborted) controller.abort(this.#parent.reason);
    else this.#children.add(controller);
    return {
      signal: controller.signal,
      release: () => {
        this.#children.delete(controller);
      },
    };
  }

  /** Runs `task` with a child signal, released once the task settles. */
  async run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const child = this.child();
    try {
      return await task(child.signal);
    } finally {
      child.release();
    }
  }

  /** Tasks holding a signal right now. */
  get size(): number {
    return this.#children.size;
  }
}

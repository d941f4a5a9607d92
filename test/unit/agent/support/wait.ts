/** Waiting for a condition in tests on real sockets, without asserting any timing. */

/** Resolves once `predicate()` holds; rejects with `what` after `timeoutMs` (a hang, not a timing check). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Like `until`, for an async producer of a value (polled until it is not undefined). */
export async function eventually<T>(produce: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  let value: T | undefined;
  await until(() => (value = produce()) !== undefined, what, timeoutMs);
  return value as T;
}

/**
 * The cap on `Server::Test` connects in flight (PROTOCOL.md §7.4). The reference starts one task
 * and one socket per Test with no limit; so did we. A Test costs the gateway about 20 bytes on the
 * control stream and the agent a socket — a file descriptor — plus, for a name, a getaddrinfo
 * call on libuv's thread pool (4 threads, shared with the data streams' lookups), held until
 * `connect-timeout` for a target that never answers. Data-stream connects are bounded by the
 * stream limit; Tests were bounded by nothing, so a gateway could hold thousands of descriptors
 * open with Tests to an unroutable address until the process ran out (1,024 per process on a
 * Linux desktop, 256 for a macOS app) and the data streams and the reconnect to the gateway
 * failed with it.
 *
 * At most MAX_TESTS_IN_FLIGHT = 64 Tests connect at once. Cluvio tests one data source at a time
 * (a button in its UI), so 64 is far beyond any real use and far below any descriptor limit. A
 * Test beyond the cap is answered `CouldNotConnect` at once — no lookup, no socket — so the
 * gateway still gets one answer per Test and nothing waits in a queue.
 */

export const MAX_TESTS_IN_FLIGHT = 64;

export class TestLimit {
  readonly max: number;
  #inFlight = 0;
  #refusedInBurst = 0;

  constructor(max: number = MAX_TESTS_IN_FLIGHT) {
    this.max = max;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Takes a slot for one Test: 'start' (connect it), else 'refuse' — 'refuse-first' for the first
   * refusal since the limit was last free (the one to log; the rest are counted).
   */
  begin(): 'start' | 'refuse-first' | 'refuse' {
    if (this.#inFlight < this.max) {
      this.#inFlight += 1;
      return 'start';
    }
    this.#refusedInBurst += 1;
    return this.#refusedInBurst === 1 ? 'refuse-first' : 'refuse';
  }

  /** A started Test finished (a slot is free again): returns how many were refused while none was, and forgets them. */
  end(): number {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const refused = this.#refusedInBurst;
    this.#refusedInBurst = 0;
    return refused;
  }
}

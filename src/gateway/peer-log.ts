/**
 * What the gateway logs about a connection before its agent has authenticated. Anyone who can
 * reach the agent port can open such connections, so until then every line spends from a budget
 * shared by all of them (a token bucket: `burst` lines, refilled at `perSecond`) and from the
 * connection's own cap, and every field is truncated: an unauthenticated peer cannot make the
 * gateway write a line per frame, nor a 512 KiB one (an `Error` message, a version number). A
 * line written after some were dropped says how many (`unlogged`). Once the agent is accepted
 * (`trust()`), its lines are written as they come (fields still truncated).
 *
 * Fields are cut with the engine's `loggableText` (escaped, bounded, the original size said), to
 * a tighter bound than the logger's own net: a peer's text is rarely worth more than a line.
 */
import type { LogLevel } from '../shared/log-record.js';
import { type LazyLogFields, type LogFields, type Logger, loggableText } from '../tunnel/log/index.js';

/** Longest text field written about a peer (characters), however long what it sent. */
export const PEER_FIELD_LIMIT = 256;

function truncateFields(fields: LogFields): LogFields {
  const out: Record<string, LogFields[string]> = {};
  for (const [key, value] of Object.entries(fields))
    out[key] = typeof value === 'string' ? loggableText(value, PEER_FIELD_LIMIT) : value;
  return out;
}

/** The gateway-wide budget of lines about unauthenticated peers. */
export class UnauthenticatedLogBudget {
  #tokens: number;
  #refilledAt: number;
  /** Lines dropped since the last one written. */
  #dropped = 0;

  constructor(
    private readonly burst = 50,
    private readonly perSecond = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#refilledAt = now();
  }

  /** A line may be written: returns how many were dropped before it (then 0 again); null: drop this one. */
  take(): number | null {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.perSecond);
    this.#refilledAt = now;
    if (this.#tokens < 1) {
      this.#dropped += 1;
      return null;
    }
    this.#tokens -= 1;
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }

  /** Counts a line dropped for another reason (a connection over its own cap). */
  drop(): void {
    this.#dropped += 1;
  }
}

interface ConnectionLogState {
  trusted: boolean;
  lines: number;
}

/** One connection's logger (the subset of `Logger` the connection uses). */
export class PeerLog {
  readonly #logger: Logger;
  readonly #budget: UnauthenticatedLogBudget;
  readonly #perConnection: number;
  readonly #state: ConnectionLogState;

  constructor(logger: Logger, budget: UnauthenticatedLogBudget, perConnection = 5, state?: ConnectionLogState) {
    this.#logger = logger;
    this.#budget = budget;
    this.#perConnection = perConnection;
    this.#state = state ?? { trusted: false, lines: 0 };
  }

  /** The agent authenticated: from now on lines are not rationed. */
  trust(): void {
    this.#state.trusted = true;
  }

  withFields(fields: LogFields): PeerLog {
    return new PeerLog(this.#logger.withFields(truncateFields(fields)), this.#budget, this.#perConnection, this.#state);
  }

  log(level: LogLevel, message: string, fields?: LazyLogFields): void {
    if (!this.#logger.enabled(level)) return;
    let dropped = 0;
    if (!this.#state.trusted) {
      if (this.#state.lines >= this.#perConnection) {
        this.#budget.drop();
        return;
      }
      const taken = this.#budget.take();
      if (taken === null) return;
      this.#state.lines += 1;
      dropped = taken;
    }
    const given = typeof fields === 'function' ? fields() : (fields ?? {});
    this.#logger.log(level, message, truncateFields(dropped > 0 ? { ...given, unlogged: dropped } : given));
  }

  error(message: string, fields?: LazyLogFields): void {
    this.log('error', message, fields);
  }

  warn(message: string, fields?: LazyLogFields): void {
    this.log('warn', message, fields);
  }

  info(message: string, fields?: LazyLogFields): void {
    this.log('info', message, fields);
  }

  debug(message: string, fields?: LazyLogFields): void {
    this.log('debug', message, fields);
  }
}

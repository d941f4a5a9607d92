/** Structured log records: emitted by the engine, rendered by the CLI, the log file and the UI. */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFieldValue = string | number | boolean | null;

export interface LogRecord {
  /** Monotonic sequence number within one process, for de-duplication and ordering. */
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly level: LogLevel;
  /** Module path in the reference agent's style, e.g. `cluvio_agent::agent`. */
  readonly module: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, LogFieldValue>>;
}

/** True when `level` is at least as severe as `threshold`. */
export function levelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold);
}

/**
 * The engine's structured logger. A `LogHub` fans records out to subscribed sinks, each with its
 * own `LogTargetFilter`; a `Logger` is a module name (reference style, `cluvio_agent::agent`)
 * plus bound fields. The level check runs before anything is built: fields may be passed as a
 * function that only runs when some sink wants the record.
 *
 * Every record leaves here with its message and string fields passed through `loggableText`
 * (control characters escaped, at most LOG_TEXT_LIMIT characters), so no sink — text or JSON
 * lines, the desktop log file, the host's log buffer, the UI — can receive a forged line break, a
 * terminal escape or an unbounded value, whatever a peer managed to get into a log call.
 */
import type { LogFieldValue, LogLevel, LogRecord } from '../../shared/log-record.js';
import { loggableText } from './loggable-text.js';
import { redactLogFields } from './redaction.js';
import { levelPasses, LogTargetFilter, moreVerbose, type LevelFilter } from './target-filter.js';

export type LogFields = Readonly<Record<string, LogFieldValue>>;

/** Fields, or a function building them only when the record is wanted. */
export type LazyLogFields = LogFields | (() => LogFields);

/** Receives every record its filter lets through. Must not throw (a throwing sink is skipped). */
export type LogSink = (record: LogRecord) => void;

/** The root module of the reference agent's log targets. */
export const ROOT_MODULE = 'cluvio_agent';

let nextSeq = 1;

interface Subscription {
  readonly sink: LogSink;
  readonly filter: LogTargetFilter;
}

export class LogHub {
  #subscriptions: readonly Subscription[] = [];
  #maxLevels = new Map<string, LevelFilter>();

  /** Subscribes `sink` with `filter` (default: everything); returns the unsubscribe function. */
  subscribe(sink: LogSink, filter: LogTargetFilter = LogTargetFilter.allAt('trace')): () => void {
    const subscription: Subscription = { sink, filter };
    this.#subscriptions = [...this.#subscriptions, subscription];
    this.#maxLevels = new Map();
    return () => {
      this.#subscriptions = this.#subscriptions.filter((candidate) => candidate !== subscription);
      this.#maxLevels = new Map();
    };
  }

  /** The most verbose level any sink wants for `module` (cached until subscriptions change). */
  maxLevel(module: string): LevelFilter {
    let level = this.#maxLevels.get(module);
    if (level === undefined) {
      level = this.#subscriptions.reduce<LevelFilter>(
        (max, { filter }) => moreVerbose(max, filter.maxLevel(module)),
        'off',
      );
      this.#maxLevels.set(module, level);
    }
    return level;
  }

  enabled(level: LogLevel, module: string): boolean {
    return levelPasses(level, this.maxLevel(module));
  }

  emit(record: LogRecord): void {
    for (const { sink, filter } of this.#subscriptions) {
      if (!filter.enabled(record.level, record.module)) continue;
      try {
        sink(record);
      } catch {
        // A broken sink (e.g. a closed pipe) must not take the tunnel down with it.
      }
    }
  }

  /** A logger for `module` (default `cluvio_agent`). */
  logger(module: string = ROOT_MODULE): Logger {
    return new Logger(this, module, {});
  }
}

export class Logger {
  readonly module: string;
  readonly #hub: LogHub;
  readonly #bound: LogFields;

  constructor(hub: LogHub, module: string, bound: LogFields) {
    this.#hub = hub;
    this.module = module;
    this.#bound = bound;
  }

  /** A logger for a submodule: `cluvio_agent` → `cluvio_agent::stream`. */
  child(name: string, fields: LogFields = {}): Logger {
    return new Logger(this.#hub, `${this.module}::${name}`, { ...this.#bound, ...fields });
  }

  /** The same module with extra fields on every record (e.g. a stream id). */
  withFields(fields: LogFields): Logger {
    return new Logger(this.#hub, this.module, { ...this.#bound, ...fields });
  }

  enabled(level: LogLevel): boolean {
    return this.#hub.enabled(level, this.module);
  }

  log(level: LogLevel, message: string, fields?: LazyLogFields): void {
    if (!this.enabled(level)) return;
    const own = typeof fields === 'function' ? fields() : (fields ?? {});
    this.#hub.emit({
      seq: nextSeq++,
      time: Date.now(),
      level,
      module: this.module,
      message: loggableText(message),
      fields: loggableFields(redactLogFields({ ...this.#bound, ...own })),
    });
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

  trace(message: string, fields?: LazyLogFields): void {
    this.log('trace', message, fields);
  }
}

/** Every string field through `loggableText` (in place): for records made outside a Logger too. */
export function loggableFields(fields: Record<string, LogFieldValue>): Record<string, LogFieldValue> {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') fields[name] = loggableText(value);
  }
  return fields;
}

/**
 * The host's publishing service: what the UI reads and subscribes to. It keeps the one log
 * pipeline (every record redacted, then stored in the bounded buffer the UI, the log file and the
 * CLI's terminal read) and turns the lifecycle's state into the throttled subscriptions of
 * `AgentApi`: a snapshot on every change (and counters re-checked between changes), the stream
 * table a few times a second while it changes, log records in batches.
 */
import type { AgentApi, Unsubscribe } from '../shared/agent-api.js';
import type { AgentSnapshot, StreamInfo, TrafficSample } from '../shared/agent-state.js';
import type { LogFieldValue, LogLevel, LogRecord } from '../shared/log-record.js';
import { loggableFields, loggableText } from '../tunnel/log/index.js';
import { createLogRedactor, type LogRedactor } from './log-redaction.js';
import { LogRingBuffer } from './log-ring-buffer.js';
import { TRAFFIC_SAMPLE_MS, TrafficHistory } from './traffic-history.js';

/** The module of the host's own records. */
export const HOST_LOG_MODULE = 'cluvio_agent_desktop::host';

/** The state being published: the lifecycle's snapshot and stream table. */
export interface PublishedState {
  snapshot(): AgentSnapshot;
  streams(): readonly StreamInfo[];
}

export interface HostPublisherOptions {
  readonly logs?: LogRingBuffer;
  /** Values to redact from every record, read anew for each (the running configuration's key). */
  readonly secrets: () => readonly string[];
  /** Stream table pushes at most this often (default 250 ms: 4 Hz). */
  readonly streamsIntervalMs?: number;
  /** Counters (bytes, open streams) are re-checked this often between state changes. */
  readonly countersIntervalMs?: number;
  /** Log records are pushed in batches collected over this long. */
  readonly logBatchMs?: number;
  /** Traffic is sampled this often for the chart (default 2 s), whether or not anyone watches. */
  readonly trafficSampleMs?: number;
  readonly now: () => number;
}

export class HostPublisher {
  readonly #state: PublishedState;
  readonly #options: HostPublisherOptions;
  readonly #logs: LogRingBuffer;
  readonly #redact: LogRedactor;

  readonly #snapshotListeners = new Set<(snapshot: AgentSnapshot) => void>();
  #lastSnapshotJson = '';
  #countersTimer: NodeJS.Timeout | null = null;

  readonly #streamListeners = new Set<(streams: readonly StreamInfo[]) => void>();
  #lastStreamsSignature = '';
  #streamsTimer: NodeJS.Timeout | null = null;

  readonly #logListeners = new Set<(records: readonly LogRecord[]) => void>();
  #pendingLogs: LogRecord[] = [];
  #logTimer: NodeJS.Timeout | null = null;
  readonly #stopLogFeed: () => void;

  readonly #traffic = new TrafficHistory();
  readonly #trafficListeners = new Set<(sample: TrafficSample) => void>();
  readonly #trafficTimer: NodeJS.Timeout;

  constructor(state: PublishedState, options: HostPublisherOptions) {
    this.#state = state;
    this.#options = options;
    this.#logs = options.logs ?? new LogRingBuffer();
    this.#redact = createLogRedactor(options.secrets);
    this.#stopLogFeed = this.#logs.onPush((record) => {
      if (this.#logListeners.size === 0) return;
      this.#pendingLogs.push(record);
      this.#logTimer ??= setTimeout(() => {
        this.#flushLogs();
      }, options.logBatchMs ?? 100).unref();
    });
    // The first reading is the baseline; it waits until the state it reads exists (the host builds it next).
    queueMicrotask(() => {
      this.#sampleTraffic();
    });
    this.#trafficTimer = setInterval(() => {
      this.#sampleTraffic();
    }, options.trafficSampleMs ?? TRAFFIC_SAMPLE_MS).unref();
  }

  /** The calls of `AgentApi` this service answers. */
  readonly calls = {
    getSnapshot: () => Promise.resolve(this.#state.snapshot()),

    onSnapshot: (listener: (snapshot: AgentSnapshot) => void): Unsubscribe => {
      this.#snapshotListeners.add(listener);
      listener(this.#state.snapshot());
      this.#countersTimer ??= setInterval(() => {
        this.publishSnapshot();
      }, this.#options.countersIntervalMs ?? 1000).unref();
      return () => {
        this.#snapshotListeners.delete(listener);
        if (this.#snapshotListeners.size === 0 && this.#countersTimer !== null) {
          clearInterval(this.#countersTimer);
          this.#countersTimer = null;
        }
      };
    },

    getStreams: () => Promise.resolve(this.#state.streams()),

    onStreams: (listener: (streams: readonly StreamInfo[]) => void): Unsubscribe => {
      this.#streamListeners.add(listener);
      listener(this.#state.streams());
      this.#streamsTimer ??= setInterval(() => {
        this.#publishStreams();
      }, this.#options.streamsIntervalMs ?? 250).unref();
      return () => {
        this.#streamListeners.delete(listener);
        if (this.#streamListeners.size === 0 && this.#streamsTimer !== null) {
          clearInterval(this.#streamsTimer);
          this.#streamsTimer = null;
        }
      };
    },

    getLogs: (filter) => Promise.resolve(this.#logs.query(filter)),

    onLog: (listener: (records: readonly LogRecord[]) => void): Unsubscribe => {
      this.#logListeners.add(listener);
      return () => this.#logListeners.delete(listener);
    },

    getTraffic: () => Promise.resolve(this.#traffic.samples()),

    onTraffic: (listener: (sample: TrafficSample) => void): Unsubscribe => {
      this.#trafficListeners.add(listener);
      return () => this.#trafficListeners.delete(listener);
    },
  } satisfies Partial<AgentApi>;

  /** Every (redacted) log record as it is stored, for the log file or the terminal. */
  onLogRecord(listener: (record: LogRecord) => void): Unsubscribe {
    return this.#logs.onPush(listener);
  }

  /** Stores a record of the engine's, redacted. */
  store(record: Omit<LogRecord, 'seq'>): void {
    this.#logs.push(this.#redact(record));
  }

  /**
   * Stores a record of the host's or the embedding process's, stamped now. These are not made by a
   * Logger, so their text is made printable and bounded here, as the engine's records are.
   */
  record(level: LogLevel, module: string, message: string, fields: Record<string, LogFieldValue> = {}): void {
    this.store({
      time: this.#options.now(),
      level,
      module,
      message: loggableText(message),
      fields: loggableFields({ ...fields }),
    });
  }

  /** Stores a record of the host's own. */
  log(level: LogLevel, message: string, fields: Record<string, LogFieldValue>): void {
    this.record(level, HOST_LOG_MODULE, message, fields);
  }

  /** Every stored record, oldest first (for a support bundle). */
  allRecords(): readonly LogRecord[] {
    return this.#logs.query({ level: 'trace', text: '' });
  }

  /** Pushes the snapshot to subscribers if it changed. */
  publishSnapshot(): void {
    if (this.#snapshotListeners.size === 0) return;
    const snapshot = this.#state.snapshot();
    const json = JSON.stringify(snapshot);
    if (json === this.#lastSnapshotJson) return;
    this.#lastSnapshotJson = json;
    for (const listener of [...this.#snapshotListeners]) listener(snapshot);
  }

  /** Stops every timer; subscriptions end. */
  close(): void {
    this.#stopLogFeed();
    clearInterval(this.#trafficTimer);
    this.#trafficListeners.clear();
    for (const timer of [this.#countersTimer, this.#streamsTimer, this.#logTimer])
      if (timer !== null) clearInterval(timer);
    this.#countersTimer = this.#streamsTimer = this.#logTimer = null;
    this.#snapshotListeners.clear();
    this.#streamListeners.clear();
    this.#logListeners.clear();
  }

  #publishStreams(): void {
    const streams = this.#state.streams();
    const signature = streams
      .map((s) => `${s.connection}/${s.id}:${s.phase}:${s.bytesToTarget}:${s.bytesFromTarget}:${s.draining}`)
      .join(',');
    if (signature === this.#lastStreamsSignature) return;
    this.#lastStreamsSignature = signature;
    for (const listener of [...this.#streamListeners]) listener(streams);
  }

  #sampleTraffic(): void {
    const sample = this.#traffic.record(this.#state.snapshot().counters, this.#options.now());
    if (sample === null) return;
    for (const listener of [...this.#trafficListeners]) listener(sample);
  }

  #flushLogs(): void {
    this.#logTimer = null;
    const batch = this.#pendingLogs;
    this.#pendingLogs = [];
    if (batch.length === 0) return;
    for (const listener of [...this.#logListeners]) listener(batch);
  }
}

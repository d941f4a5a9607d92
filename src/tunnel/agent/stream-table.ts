/**
 * The live table of data streams every consumer shows: one entry per stream from its `Connect`
 * until it closes, then a bounded tail of recently closed ones. Byte counters are read from the
 * target socket's own counters when asked (no per-chunk work), and frozen when the stream closes.
 */
import type net from 'node:net';
import type { StreamInfo, StreamPhase } from '../../shared/agent-state.js';
import type { Clock } from './clock.js';

export const DEFAULT_CLOSED_TAIL = 200;

export interface StreamTableOptions {
  readonly clock: Clock;
  /** How many closed streams stay visible. */
  readonly closedTail?: number;
  /** A stream opened, changed phase or closed. */
  readonly onChange: (info: StreamInfo) => void;
}

export interface StreamOpening {
  readonly id: number;
  readonly connection: number;
  readonly draining: boolean;
  readonly target: string;
  readonly halfClose: boolean;
  /** The Connect message's id, as the stream's log lines show it (`id=…`). */
  readonly messageId: string;
}

export interface StreamTotals {
  readonly open: number;
  readonly total: number;
  readonly failed: number;
  readonly bytesToTarget: number;
  readonly bytesFromTarget: number;
}

export class StreamTable {
  readonly #clock: Clock;
  readonly #tailLength: number;
  readonly #onChange: (info: StreamInfo) => void;
  readonly #open = new Set<StreamEntry>();
  readonly #closed: StreamInfo[] = [];
  #total = 0;
  #failed = 0;
  #closedBytesToTarget = 0;
  #closedBytesFromTarget = 0;

  constructor(options: StreamTableOptions) {
    this.#clock = options.clock;
    this.#tailLength = options.closedTail ?? DEFAULT_CLOSED_TAIL;
    this.#onChange = options.onChange;
  }

  /** A stream's `Connect` was read: it enters the table in phase `connecting`. */
  open(opening: StreamOpening): StreamEntry {
    const entry = new StreamEntry(this, opening, this.#clock.now());
    this.#open.add(entry);
    this.#total += 1;
    this.#onChange(entry.info());
    return entry;
  }

  /** Every open stream of `connection` now belongs to a draining connection. */
  markDraining(connection: number): void {
    for (const entry of this.#open) {
      if (entry.connection === connection && !entry.draining) {
        entry.draining = true;
        this.#onChange(entry.info());
      }
    }
  }

  /** The entries of open streams (for diagnostics: live socket buffers). */
  openEntries(): readonly StreamEntry[] {
    return [...this.#open];
  }

  /** Open streams first (oldest first), then the closed tail (most recent last). */
  list(): StreamInfo[] {
    return [...[...this.#open].map((entry) => entry.info()), ...this.#closed];
  }

  totals(): StreamTotals {
    let toTarget = this.#closedBytesToTarget;
    let fromTarget = this.#closedBytesFromTarget;
    for (const entry of this.#open) {
      toTarget += entry.bytesToTarget;
      fromTarget += entry.bytesFromTarget;
    }
    return {
      open: this.#open.size,
      total: this.#total,
      failed: this.#failed,
      bytesToTarget: toTarget,
      bytesFromTarget: fromTarget,
    };
  }

  /** @internal called by entries. */
  changed(entry: StreamEntry): void {
    this.#onChange(entry.info());
  }

  /** @internal called by entries. */
  closed(entry: StreamEntry, info: StreamInfo): void {
    if (!this.#open.delete(entry)) return;
    if (info.error !== null) this.#failed += 1;
    this.#closedBytesToTarget += info.bytesToTarget;
    this.#closedBytesFromTarget += info.bytesFromTarget;
    this.#closed.push(info);
    if (this.#closed.length > this.#tailLength) this.#closed.splice(0, this.#closed.length - this.#tailLength);
    this.#onChange(info);
  }

  /** @internal */
  now(): number {
    return this.#clock.now();
  }
}

/** One open stream; the data-stream handler moves it through its phases. */
export class StreamEntry {
  readonly id: number;
  readonly connection: number;
  draining: boolean;
  readonly #table: StreamTable;
  readonly #target: string;
  readonly #halfClose: boolean;
  readonly #messageId: string;
  readonly #openedAt: number;
  #resolved: string | null = null;
  #phase: StreamPhase = 'connecting';
  #socket: net.Socket | null = null;
  #final: StreamInfo | null = null;

  constructor(table: StreamTable, opening: StreamOpening, openedAt: number) {
    this.#table = table;
    this.id = opening.id;
    this.connection = opening.connection;
    this.draining = opening.draining;
    this.#target = opening.target;
    this.#halfClose = opening.halfClose;
    this.#messageId = opening.messageId;
    this.#openedAt = openedAt;
  }

  get phase(): StreamPhase {
    return this.#phase;
  }

  get bytesToTarget(): number {
    return this.#final?.bytesToTarget ?? this.#socket?.bytesWritten ?? 0;
  }

  get bytesFromTarget(): number {
    return this.#final?.bytesFromTarget ?? this.#socket?.bytesRead ?? 0;
  }

  /** Bytes accepted for the target and still queued in our socket (backpressure keeps this small). */
  get bufferedToTarget(): number {
    return this.#socket?.writableLength ?? 0;
  }

  /** The target socket is connected (counters are read from it from now on). */
  connected(resolved: string, socket: net.Socket): void {
    this.#resolved = resolved;
    this.#socket = socket;
  }

  setPhase(phase: Exclude<StreamPhase, 'closed'>): void {
    if (this.#final !== null || this.#phase === phase) return;
    this.#phase = phase;
    this.#table.changed(this);
  }

  /**
   * The stream is over; `error` says why it was refused or failed, `errorCode` what failed when
   * connecting to the target did (`ECONNREFUSED`, …). Idempotent.
   */
  close(error: string | null, errorCode: string | null = null): void {
    if (this.#final !== null) return;
    const info: StreamInfo = { ...this.info(), phase: 'closed', closedAt: this.#table.now(), error, errorCode };
    this.#final = info;
    this.#socket = null;
    this.#table.closed(this, info);
  }

  info(): StreamInfo {
    if (this.#final !== null) return this.#final;
    return {
      id: this.id,
      connection: this.connection,
      draining: this.draining,
      target: this.#target,
      resolved: this.#resolved,
      halfClose: this.#halfClose,
      phase: this.#phase,
      bytesToTarget: this.bytesToTarget,
      bytesFromTarget: this.bytesFromTarget,
      openedAt: this.#openedAt,
      closedAt: null,
      error: null,
      errorCode: null,
      messageId: this.#messageId,
    };
  }
}

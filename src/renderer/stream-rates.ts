/**
 * Current transfer rate per stream, from two consecutive stream tables: bytes moved since the
 * previous table over the time between them. No DOM: unit-tested under Node.
 */
import type { StreamInfo } from '../shared/agent-state.js';

export interface StreamRate {
  /** Bytes per second towards the target (upload from the database's point of view). */
  readonly toTarget: number;
  readonly fromTarget: number;
}

export interface RateSample {
  readonly at: number;
  readonly bytes: ReadonlyMap<string, { readonly toTarget: number; readonly fromTarget: number }>;
}

/** Streams are identified by connection and id: ids restart on every gateway connection. */
export function streamKey(stream: StreamInfo): string {
  return `${stream.connection}/${stream.id}`;
}

export function sampleStreams(streams: readonly StreamInfo[], at: number): RateSample {
  return {
    at,
    bytes: new Map(streams.map((s) => [streamKey(s), { toTarget: s.bytesToTarget, fromTarget: s.bytesFromTarget }])),
  };
}

export function streamRates(previous: RateSample | null, current: RateSample): Map<string, StreamRate> {
  const rates = new Map<string, StreamRate>();
  const seconds = previous === null ? 0 : (current.at - previous.at) / 1000;
  for (const [key, now] of current.bytes) {
    const before = previous?.bytes.get(key);
    if (before === undefined || seconds <= 0) {
      rates.set(key, { toTarget: 0, fromTarget: 0 });
      continue;
    }
    rates.set(key, {
      toTarget: Math.max(0, now.toTarget - before.toTarget) / seconds,
      fromTarget: Math.max(0, now.fromTarget - before.fromTarget) / seconds,
    });
  }
  return rates;
}

/** Stream table rows: live streams first, newest first, each with its current rate. No DOM. */
import type { StreamInfo } from '../shared/agent-state.js';
import { type RateSample, sampleStreams, streamKey, type StreamRate, streamRates } from './stream-rates.js';

export interface StreamRow {
  readonly key: string;
  readonly info: StreamInfo;
  readonly rate: StreamRate;
}

/** Rates are measured over about this long, so one quiet tick does not read as zero. */
export const RATE_WINDOW_MS = 1000;

/** Keeps recent samples and turns each new stream table into rows. */
export class StreamRowBuilder {
  #samples: RateSample[] = [];

  rows(streams: readonly StreamInfo[], at: number): StreamRow[] {
    const sample = sampleStreams(streams, at);
    this.#samples = this.#samples.filter((s) => at - s.at <= RATE_WINDOW_MS && s.at < at);
    const rates = streamRates(this.#samples[0] ?? null, sample);
    this.#samples.push(sample);
    const zero: StreamRate = { toTarget: 0, fromTarget: 0 };
    return streams
      .map((info) => ({ key: streamKey(info), info, rate: rates.get(streamKey(info)) ?? zero }))
      .sort(
        (a, b) =>
          Number(a.info.phase === 'closed') - Number(b.info.phase === 'closed') ||
          b.info.openedAt - a.info.openedAt ||
          b.info.id - a.info.id,
      );
  }
}

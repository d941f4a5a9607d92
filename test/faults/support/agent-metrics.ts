/**
 * Our agent's own counters of what it holds toward the gateway, read from its metrics endpoint
 * (`--metrics-address`, the Prometheus families of src/host/prometheus-metrics.ts).
 */
import { parsePrometheusText } from '../../e2e/metrics/support/prometheus-text.js';

export interface AgentMetricsSample {
  readonly streamsOpen: number;
  readonly queuedBytes: number;
  readonly queuedBytesPeak: number;
  readonly streamQueuedBytes: number;
  readonly streamQueuedBytesPeak: number;
  readonly readPauses: number;
  readonly framesReadWhileBlocked: number;
}

/** The `/metrics` URL from the line the CLI prints (`metrics: http://127.0.0.1:<port>/metrics`). */
export function metricsUrlOf(line: string): string {
  const url = /metrics: (\S+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`no metrics URL in ${JSON.stringify(line)}`);
  return url;
}

export function healthzUrlOf(metricsUrl: string): string {
  return metricsUrl.replace(/\/metrics$/, '/healthz');
}

export async function agentMetrics(metricsUrl: string): Promise<AgentMetricsSample> {
  const response = await fetch(metricsUrl);
  const exposition = parsePrometheusText(await response.text());
  // NaN where the agent does not expose a family (a build from before these counters): every
  // bound on it then fails, saying which.
  const value = (name: string): number => exposition.value(`cluvio_agent_${name}`) ?? NaN;
  return {
    streamsOpen: value('streams_open'),
    queuedBytes: value('gateway_queued_bytes'),
    queuedBytesPeak: value('gateway_queued_bytes_peak'),
    streamQueuedBytes: value('stream_queued_bytes'),
    streamQueuedBytesPeak: value('stream_queued_bytes_peak'),
    readPauses: value('gateway_read_pauses_total'),
    framesReadWhileBlocked: value('gateway_frames_read_while_blocked_total'),
  };
}

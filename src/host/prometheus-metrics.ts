/**
 * The agent's state and counters in the Prometheus text exposition format 0.0.4: one `# HELP`
 * and one `# TYPE` line per family, samples below, label values escaped. Built from the typed
 * engine surface only (snapshot + metrics), so the CLI, the dashboard and the app expose the same
 * families. Nothing secret is ever a label: the agent id is the public key, the server a name.
 *
 * Families (all prefixed `cluvio_agent_`): info, state, online, connected_since_seconds,
 * reconnects_total{cause}, connect_failures_total, connection_checks_total{result},
 * streams_open, streams_total, streams_failed_total{code}, target_sent_bytes_total,
 * target_received_bytes_total, target_connect_seconds (histogram), ping_rtt_seconds, and what
 * the agent holds toward the gateway: gateway_queued_bytes, gateway_queued_bytes_peak,
 * stream_queued_bytes, stream_queued_bytes_peak, gateway_read_pauses_total,
 * gateway_frames_read_while_blocked_total.
 */
import type { AgentPhase, AgentSnapshot } from '../shared/agent-state.js';
import {
  CONNECTION_CHECK_RESULTS,
  RECONNECT_CAUSES,
  STREAM_FAILURE_CODES,
  type EngineMetrics,
} from '../tunnel/agent/index.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Every phase, so a dashboard can graph each as 0/1 even before the agent was in it. */
const PHASES: readonly AgentPhase[] = [
  'unconfigured',
  'idle',
  'connecting',
  'authenticating',
  'online',
  'backing-off',
  'disabled',
  'terminated',
  'stopped',
];

type Labels = Readonly<Record<string, string>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Prometheus label values in snake case (`connection-check` → `connection_check`). */
function snake(text: string): string {
  return text.replace(/-/g, '_');
}

class Exposition {
  readonly #lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): this {
    this.#lines.push(
      `# HELP cluvio_agent_${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      `# TYPE cluvio_agent_${name} ${type}`,
    );
    return this;
  }

  sample(name: string, value: number, labels: Labels = {}): this {
    const pairs = Object.entries(labels).map(([key, text]) => `${key}="${escapeLabel(text)}"`);
    this.#lines.push(`cluvio_agent_${name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${formatValue(value)}`);
    return this;
  }

  text(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

/** The exposition of one scrape; `metrics` is null while there is no engine (no configuration). */
export function renderPrometheusMetrics(snapshot: AgentSnapshot, metrics: EngineMetrics | null): string {
  const out = new Exposition();
  const { config, state, counters } = snapshot;
  out
    .family('info', 'gauge', 'The agent: version, agent id (its public key) and gateway; always 1.')
    .sample('info', 1, {
      version: snapshot.version,
      agent_id: config?.agentId ?? '',
      server: config === null ? '' : `${config.server.host}:${config.server.port}`,
    });

  out.family('state', 'gauge', 'The tunnel state: 1 for the current phase, 0 for the others.');
  for (const phase of PHASES) out.sample('state', state.phase === phase ? 1 : 0, { state: snake(phase) });
  out
    .family('online', 'gauge', 'Whether the gateway has accepted the agent on its current connection (1) or not (0).')
    .sample('online', state.phase === 'online' ? 1 : 0);
  out
    .family(
      'connected_since_seconds',
      'gauge',
      'Unix time at which the current gateway connection was made; 0 while not connected.',
    )
    .sample('connected_since_seconds', counters.connectedSince === null ? 0 : counters.connectedSince / 1000);

  out.family('reconnects_total', 'counter', 'Times the agent left a gateway connection for a new one, by cause.');
  for (const cause of RECONNECT_CAUSES)
    out.sample('reconnects_total', metrics?.reconnects[cause] ?? 0, { cause: snake(cause) });
  out
    .family(
      'connect_failures_total',
      'counter',
      'Attempts to connect to the gateway that failed (resolve, TCP, proxy, TLS or Hello).',
    )
    .sample('connect_failures_total', metrics?.connectFailures ?? 0);
  out.family(
    'connection_checks_total',
    'counter',
    'Connection checks after the machine woke up or the network changed, by result.',
  );
  for (const result of CONNECTION_CHECK_RESULTS)
    out.sample('connection_checks_total', metrics?.connectionChecks[result] ?? 0, { result });

  out.family('streams_open', 'gauge', 'Data streams open now.').sample('streams_open', counters.streamsOpen);
  out
    .family('streams_total', 'counter', 'Data streams the gateway opened.')
    .sample('streams_total', counters.streamsTotal);
  out.family(
    'streams_failed_total',
    'counter',
    'Data streams that failed, by the error code the gateway was told (TransferError: failed after Ok).',
  );
  for (const code of STREAM_FAILURE_CODES)
    out.sample('streams_failed_total', metrics?.streamFailures[code] ?? 0, { code });
  out
    .family('target_sent_bytes_total', 'counter', 'Bytes written to databases (gateway to target).')
    .sample('target_sent_bytes_total', counters.bytesToTarget);
  out
    .family('target_received_bytes_total', 'counter', 'Bytes read from databases (target to gateway).')
    .sample('target_received_bytes_total', counters.bytesFromTarget);

  out.family(
    'target_connect_seconds',
    'histogram',
    "Time from a data stream's Connect until its database was connected and Ok sent.",
  );
  const histogram = metrics?.targetConnectSeconds;
  const bounds = histogram?.bounds ?? [];
  bounds.forEach((bound, index) =>
    out.sample('target_connect_seconds_bucket', histogram?.cumulative[index] ?? 0, { le: formatValue(bound) }),
  );
  out.sample('target_connect_seconds_bucket', histogram?.count ?? 0, { le: '+Inf' });
  out.sample('target_connect_seconds_sum', histogram?.sum ?? 0);
  out.sample('target_connect_seconds_count', histogram?.count ?? 0);

  const held = metrics?.gateway;
  out
    .family('gateway_queued_bytes', 'gauge', "Bytes queued for the gateway connection's socket now.")
    .sample('gateway_queued_bytes', held?.queuedBytes ?? 0);
  out
    .family(
      'gateway_queued_bytes_peak',
      'gauge',
      'The most bytes one gateway connection ever had queued for its socket.',
    )
    .sample('gateway_queued_bytes_peak', held?.queuedBytesPeak ?? 0);
  out
    .family(
      'stream_queued_bytes',
      'gauge',
      'Bytes data streams hold for the gateway now, not yet queued for the socket.',
    )
    .sample('stream_queued_bytes', held?.streamQueuedBytes ?? 0);
  out
    .family(
      'stream_queued_bytes_peak',
      'gauge',
      'The most bytes one data stream ever held for the gateway while it waited.',
    )
    .sample('stream_queued_bytes_peak', held?.streamQueuedBytesPeak ?? 0);
  out
    .family(
      'gateway_read_pauses_total',
      'counter',
      'Times the agent stopped reading the gateway because its write queue to the gateway was full.',
    )
    .sample('gateway_read_pauses_total', held?.readPauses ?? 0);
  out
    .family(
      'gateway_frames_read_while_blocked_total',
      'counter',
      'Frames read from the gateway while the write queue to it was over its bound (0 unless reading failed to stop).',
    )
    .sample('gateway_frames_read_while_blocked_total', held?.framesReadWhileBlocked ?? 0);

  out.family('ping_rtt_seconds', 'gauge', 'Round trip of the last control-stream ping; absent before the first.');
  if (counters.pingRttMs !== null) out.sample('ping_rtt_seconds', counters.pingRttMs / 1000);
  return out.text();
}

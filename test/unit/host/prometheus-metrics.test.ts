/** The Prometheus exposition without an engine (no configuration yet) and with odd label values. */
import { describe, expect, it } from 'vitest';
import { renderPrometheusMetrics } from '../../../src/host/prometheus-metrics.js';
import { type AgentSnapshot, ZERO_AGENT_COUNTERS } from '../../../src/shared/agent-state.js';
import { AgentMetrics } from '../../../src/tunnel/agent/agent-metrics.js';
import { parsePrometheusText } from '../../e2e/metrics/support/prometheus-text.js';

const COUNTERS: AgentSnapshot['counters'] = ZERO_AGENT_COUNTERS;

describe('Prometheus exposition', () => {
  it('without an engine: every family is there, the state is unconfigured, counters are zero, no ping sample', () => {
    const text = renderPrometheusMetrics(
      { version: '0.1.0', config: null, state: { phase: 'unconfigured', problem: null }, counters: COUNTERS },
      null,
    );
    const e = parsePrometheusText(text);
    expect(e.value('cluvio_agent_state', { state: 'unconfigured' })).toBe(1);
    expect(e.value('cluvio_agent_online')).toBe(0);
    expect(e.value('cluvio_agent_reconnects_total', { cause: 'connection_check' })).toBe(0);
    expect(e.value('cluvio_agent_target_connect_seconds_count')).toBe(0);
    expect(e.value('cluvio_agent_ping_rtt_seconds')).toBeUndefined();
    expect(e.value('cluvio_agent_gateway_frames_read_while_blocked_total')).toBe(0);
    expect([...e.families.keys()]).toHaveLength(20);
  });

  it('escapes label values and reports the histogram and RTT of an engine', () => {
    const metrics = new AgentMetrics();
    metrics.targetConnected(2);
    metrics.reconnected('no-pong');
    const text = renderPrometheusMetrics(
      {
        version: '1.0 "beta"\\x\nnext',
        config: {
          path: null,
          agentId: 'id',
          server: { host: 'gw', port: 443 },
          allowedAddresses: [],
          connectTimeoutMs: 1,
          pingFrequencyMs: 1,
        },
        state: { phase: 'online', server: 'gw:443', remoteAddress: '1.2.3.4:443', since: 5_000 },
        counters: { ...COUNTERS, connectedSince: 5_000, pingRttMs: 12 },
      },
      metrics.snapshot(),
    );
    expect(text).toContain('version="1.0 \\"beta\\"\\\\x\\nnext"');
    const e = parsePrometheusText(text);
    expect(e.value('cluvio_agent_info', { version: '1.0 "beta"\\x\nnext', agent_id: 'id', server: 'gw:443' })).toBe(1);
    expect(e.value('cluvio_agent_connected_since_seconds')).toBe(5);
    expect(e.value('cluvio_agent_ping_rtt_seconds')).toBe(0.012);
    expect(e.value('cluvio_agent_reconnects_total', { cause: 'no_pong' })).toBe(1);
    expect(e.value('cluvio_agent_target_connect_seconds_bucket', { le: '0.001' })).toBe(0);
    expect(e.value('cluvio_agent_target_connect_seconds_bucket', { le: '0.0025' })).toBe(1);
    expect(e.value('cluvio_agent_target_connect_seconds_sum')).toBe(0.002);
  });
});

/**
 * "Does the gateway accept this agent's key?" answered by the agent itself: a separate `Agent`
 * on the same configuration (and proxy) connects, says Hello, answers the Challenge, and is
 * stopped as soon as the gateway has decided (Accepted, or Terminate with a reason), so the
 * handshake is exactly the one the agent runs. Its connection is closed right after.
 *
 * The gateway keeps one live connection per agent, the newest (docs/gateway.md): an agent already
 * running with this configuration elsewhere loses its connection to the probe's and reconnects
 * once. The app and the dashboard avoid that when their own engine is online (diagnose.ts); the
 * CLI says so in its report and offers `--skip-handshake`.
 */
import type { AgentState, TerminateReason } from '../../shared/agent-state.js';
import type { AgentConfig } from '../config/index.js';
import type { LogHub } from '../log/index.js';
import { Agent } from './agent.js';
import type { Clock } from './clock.js';
import type { StepBody } from './diagnose-network.js';
import type { Resolver } from './lookup.js';
import type { ProxySettings } from './proxy-config.js';

export interface HandshakeProbeOptions {
  readonly config: AgentConfig;
  readonly proxy: ProxySettings | null;
  readonly version: string;
  readonly log: LogHub;
  readonly signal: AbortSignal;
  readonly resolver?: Resolver;
  readonly clock?: Clock;
}

/** Beyond connect-timeout, how long the gateway has to answer Hello and the Challenge. */
const ANSWER_MS = 15_000;

const REFUSALS: Readonly<Record<TerminateReason, { readonly summary: string; readonly fix: string }>> = {
  Unauthorized: {
    summary: 'the gateway does not accept this key (Terminate: Unauthorized)',
    fix: 'The agent ID (public key) is not registered, or its agent was deleted: in Cluvio, check the agent and download its cluvio-agent.toml again. An agent refused this way does not retry.',
  },
  Unauthenticated: {
    summary: 'the gateway could not verify the key (Terminate: Unauthenticated)',
    fix: 'The secret-key does not prove the agent ID the gateway expects: download the configuration again and replace the file; if it persists, send a support bundle (diagnose --bundle).',
  },
  UnsupportedVersion: {
    summary: "the gateway does not support this agent's protocol version (Terminate: UnsupportedVersion)",
    fix: 'Update the agent to the current release.',
  },
  Disabled: {
    summary: 'the gateway says this agent is disabled (Terminate: Disabled)',
    fix: 'Enable the agent in Cluvio. A running agent retries every 5 s and comes online once it is enabled.',
  },
};

type Verdict =
  | { readonly kind: 'accepted'; readonly state: Extract<AgentState, { phase: 'online' }> }
  | { readonly kind: 'refused'; readonly reason: TerminateReason }
  | { readonly kind: 'failed'; readonly message: string };

export async function probeHandshake(options: HandshakeProbeOptions): Promise<StepBody> {
  const agent = new Agent({
    config: options.config,
    proxy: options.proxy,
    log: options.log,
    version: options.version,
    ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  try {
    const verdict = await new Promise<Verdict>((resolve) => {
      const timer = setTimeout(() => {
        resolve({
          kind: 'failed',
          message: `no decision from the gateway within ${(options.config.connectTimeoutMs + ANSWER_MS) / 1000} s`,
        });
      }, options.config.connectTimeoutMs + ANSWER_MS);
      const finish = (verdict: Verdict): void => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve(verdict);
      };
      const onAbort = (): void => {
        finish({ kind: 'failed', message: 'cancelled' });
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      agent.on('state', (state) => {
        if (state.phase === 'online') finish({ kind: 'accepted', state });
        else if (state.phase === 'terminated') finish({ kind: 'refused', reason: state.reason });
        else if (state.phase === 'disabled') finish({ kind: 'refused', reason: 'Disabled' });
        else if (state.phase === 'backing-off') finish({ kind: 'failed', message: state.reason });
      });
      agent.start();
    });
    switch (verdict.kind) {
      case 'accepted':
        return {
          status: 'pass',
          summary: `the gateway accepted agent ${options.config.agentId}`,
          details: [`connection: ${verdict.state.remoteAddress}; closed again right away`],
          fix: null,
        };
      case 'refused':
        return { status: 'fail', ...REFUSALS[verdict.reason], details: [`agent ID: ${options.config.agentId}`] };
      case 'failed':
        return {
          status: 'fail',
          summary: `no answer to the agent's Hello: ${verdict.message}`,
          details: [],
          fix: 'The connection ended before the gateway decided: see the steps above; if they passed, the gateway (or something in between) closed the connection.',
        };
    }
  } finally {
    await agent.stop();
  }
}

/**
 * Watches an engine just started on a new configuration until the gateway has answered it:
 *
 * - `online`: the gateway accepted the agent — the configuration works;
 * - `refused`: a permanent Terminate (Unauthenticated, Unauthorized, UnsupportedVersion), or a
 *   connection attempt that failed because the server presented a certificate the configuration
 *   refuses — an answer that waiting does not change;
 * - `disabled`: the gateway knows the agent, and it is disabled in Cluvio;
 * - `unreachable`: an attempt failed in a way that may pass (refused, timed out, no route, DNS):
 *   reported each time, while the watch goes on for a definite answer;
 * - `stopped`: the engine was stopped (replaced, or the host closing) before any of these.
 *
 * Every answer but `unreachable` ends the watch.
 */
import type { AgentState } from '../shared/agent-state.js';
import { type GatewayRefusal, isPermanentRefusal } from '../shared/gateway-refusal-words.js';
import type { AgentEngine, CertificateRefusal } from '../tunnel/agent/index.js';

export type FirstAnswer =
  | { readonly kind: 'online' }
  | { readonly kind: 'refused'; readonly refusal: GatewayRefusal }
  | { readonly kind: 'disabled' }
  | { readonly kind: 'unreachable'; readonly error: string }
  | { readonly kind: 'stopped' };

/** Calls `onAnswer` with each answer; returns the function that ends the watch early. */
export function watchFirstConnection(
  engine: AgentEngine,
  server: string,
  onAnswer: (answer: FirstAnswer) => void,
): () => void {
  let refusedCertificate: CertificateRefusal | null = null;
  let ended = false;
  const end = (): void => {
    ended = true;
    engine.off('state', onState).off('certificate-refused', onCertificate);
  };
  const answer = (value: FirstAnswer): void => {
    if (ended) return;
    if (value.kind !== 'unreachable') end();
    onAnswer(value);
  };
  function onCertificate(refusal: CertificateRefusal): void {
    refusedCertificate = refusal;
  }
  function onState(state: AgentState): void {
    switch (state.phase) {
      case 'connecting':
        // A new attempt: what the last one met no longer counts.
        refusedCertificate = null;
        return;
      case 'online':
        answer({ kind: 'online' });
        return;
      case 'terminated':
        if (isPermanentRefusal(state.reason))
          answer({ kind: 'refused', refusal: { kind: 'terminated', reason: state.reason } });
        else answer({ kind: 'disabled' });
        return;
      case 'disabled':
        answer({ kind: 'disabled' });
        return;
      case 'backing-off':
        if (refusedCertificate !== null)
          answer({
            kind: 'refused',
            refusal: { kind: 'certificate', server, detail: refusedCertificate.message },
          });
        else answer({ kind: 'unreachable', error: state.reason });
        return;
      case 'stopped':
        answer({ kind: 'stopped' });
        return;
      case 'unconfigured':
      case 'idle':
      case 'authenticating':
        return;
    }
  }
  engine.on('state', onState).on('certificate-refused', onCertificate);
  // The engine may have moved on before the watch began.
  onState(engine.snapshot().state);
  return end;
}

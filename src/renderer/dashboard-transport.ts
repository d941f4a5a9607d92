/**
 * `AgentApi` over the loopback dashboard: calls are JSON POSTs, subscriptions Server-Sent Events.
 * Every URL is relative to the page's own, which carries the dashboard's token. The event streams
 * also tell whether the agent is still reachable.
 */
import type { AgentTransport } from '../shared/agent-api-client.js';
import type { CallReply } from '../shared/agent-api-protocol.js';

/** Whether the page still reaches the agent process (always true inside Electron). */
export interface ConnectionMonitor {
  onChange(listener: (connected: boolean) => void): () => void;
}

export function createDashboardTransport(base: URL): {
  readonly transport: AgentTransport;
  readonly connection: ConnectionMonitor;
} {
  const listeners = new Set<(connected: boolean) => void>();
  let connected = true;
  const setConnected = (value: boolean): void => {
    if (value === connected) return;
    connected = value;
    for (const listener of [...listeners]) listener(value);
  };

  const transport: AgentTransport = {
    async call(name, arg) {
      let response: Response;
      try {
        response = await fetch(new URL(`api/call/${name}`, base), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ arg }),
          cache: 'no-store',
        });
      } catch {
        setConnected(false);
        return { ok: false, error: 'the agent cannot be reached: is cluvio-agent --dashboard still running?' };
      }
      if (!response.ok) return { ok: false, error: `${response.status}: ${(await response.text()).trim()}` };
      return (await response.json()) as CallReply;
    },
    subscribe(topic, listener) {
      // EventSource reconnects by itself; the server sends the current state first on each connect.
      const source = new EventSource(new URL(`api/events/${topic}`, base));
      source.addEventListener(topic, (event: MessageEvent<string>) => {
        listener(JSON.parse(event.data) as unknown);
      });
      source.addEventListener('open', () => {
        setConnected(true);
      });
      source.addEventListener('error', () => {
        if (source.readyState !== EventSource.OPEN) setConnected(false);
      });
      return () => {
        source.close();
      };
    },
  };
  return {
    transport,
    connection: {
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  };
}

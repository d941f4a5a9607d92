/**
 * `AgentApi` over the loopback dashboard: calls are JSON POSTs, subscriptions Server-Sent Events.
 * Every URL is relative to the page's own, which carries the dashboard's token.
 */
import type { AgentTransport } from '../shared/agent-api-client.js';
import type { CallReply } from '../shared/agent-api-protocol.js';

export function createDashboardTransport(base: URL): AgentTransport {
  return {
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
      return () => {
        source.close();
      };
    },
  };
}

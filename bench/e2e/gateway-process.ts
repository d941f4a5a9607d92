/**
 * The gateway of the tunnel paths as a child process of its own, as `cluvio-gateway serve` runs
 * it (the same `Gateway`), with settings the config file does not offer: mux overrides (a
 * gateway that keeps yamux 0.10's fixed window) and a higher stream limit for the idle-stream
 * measurement. Controlled over IPC:
 *
 *   init  { certPem, keyPem, agents: [{ id, name }], mux? }  → { port }
 *   { kind: 'route', agentId, target }                       → { port }   (waits until the agent is online)
 */
import { AgentRegistry } from '../../src/gateway/agent-registry.js';
import { Gateway } from '../../src/gateway/gateway.js';
import type { MuxConfig } from '../../src/tunnel/mux/config.js';
import { tuneHeapForRelaying } from '../../src/tunnel/mux/index.js';

// This process stands in for `cluvio-gateway serve`: the same V8 settings (forked with RELAY_NODE_FLAGS).
tuneHeapForRelaying();

export interface GatewayInit {
  readonly certPem: string;
  readonly keyPem: string;
  readonly agents: readonly { readonly id: string; readonly name: string }[];
  readonly mux?: Partial<MuxConfig>;
}

export interface RouteRequest {
  readonly kind: 'route';
  readonly agentId: string;
  readonly target: string;
}

export interface PortReply {
  readonly port: number;
}

function reply(message: object): void {
  process.send?.(message);
}

async function start(init: GatewayInit): Promise<void> {
  const registry = new AgentRegistry(
    init.agents.map((agent) => ({ id: agent.id, name: agent.name, status: 'enabled' as const })),
  );
  const gateway = await Gateway.start({
    tls: { certPem: init.certPem, keyPem: init.keyPem },
    agents: registry,
    ...(init.mux === undefined ? {} : { mux: init.mux }),
  });
  process.on('message', (request: RouteRequest) => {
    void (async () => {
      await gateway.waitForAgent(request.agentId, { timeoutMs: 30_000 });
      const route = await gateway.openRoute({ agentId: request.agentId, target: request.target });
      reply({ port: route.port } satisfies PortReply);
    })().catch((error: unknown) => {
      reply({ error: String(error) });
    });
  });
  process.once('SIGTERM', () => {
    void gateway.close().finally(() => process.exit(0));
  });
  reply({ port: gateway.port } satisfies PortReply);
}

process.once('message', (init: GatewayInit) => {
  start(init).catch((error: unknown) => {
    reply({ error: String(error) });
  });
});
process.on('disconnect', () => process.exit(0));

/**
 * A TCP relay in front of a gateway that can make the gateway look crashed or hung to the agent,
 * on real sockets:
 *
 * - `kill('reset' | 'close')`: what the agent sees when the gateway process dies — the listener
 *   is gone (new connections are refused) and every relayed connection is reset (RST) or closed
 *   (FIN without TLS close_notify), as the kernel does for a dead process;
 * - `revive()`: listening again on the same port (the gateway restarted);
 * - `freeze()`: the gateway hangs — relayed connections stay open but nothing is read or
 *   written in either direction any more, so the agent's pings go unanswered and its writes
 *   eventually block.
 */
import { once } from 'node:events';
import net from 'node:net';

interface Pair {
  readonly agent: net.Socket;
  readonly gateway: net.Socket;
}

export interface KillSwitch {
  readonly port: number;
  /** Connections relayed right now. */
  live(): number;
  /** Connections accepted so far. */
  accepted(): number;
  kill(how: 'reset' | 'close'): Promise<void>;
  revive(): Promise<void>;
  freeze(): void;
  close(): Promise<void>;
}

export async function startKillSwitch(upstreamPort: number): Promise<KillSwitch> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  let server: net.Server | null = null;
  let port = 0;

  const relay = (agent: net.Socket): void => {
    accepted += 1;
    const gateway = net.connect({ host: '127.0.0.1', port: upstreamPort });
    const pair: Pair = { agent, gateway };
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      agent.destroy();
      gateway.destroy();
    };
    agent.on('error', drop).on('close', drop);
    gateway.on('error', drop).on('close', drop);
    agent.pipe(gateway);
    gateway.pipe(agent);
  };

  const listen = async (): Promise<void> => {
    const next = net.createServer(relay);
    next.listen(port, '127.0.0.1');
    await once(next, 'listening');
    port = (next.address() as net.AddressInfo).port;
    server = next;
  };
  await listen();

  const stopListening = async (): Promise<void> => {
    const current = server;
    server = null;
    if (current === null) return;
    // close() stops accepting at once; its callback waits for the relayed connections to go.
    await new Promise((resolve) => current.close(resolve));
  };

  return {
    port,
    live: () => pairs.size,
    accepted: () => accepted,
    async kill(how) {
      const stopped = stopListening();
      for (const { agent, gateway } of [...pairs]) {
        if (how === 'reset') agent.resetAndDestroy();
        else agent.destroy();
        gateway.destroy();
      }
      await stopped;
    },
    revive: listen,
    freeze() {
      for (const { agent, gateway } of pairs) {
        agent.unpipe(gateway);
        gateway.unpipe(agent);
        agent.pause();
        gateway.pause();
      }
    },
    async close() {
      const stopped = stopListening();
      for (const { agent, gateway } of [...pairs]) {
        agent.destroy();
        gateway.destroy();
      }
      await stopped;
    },
  };
}

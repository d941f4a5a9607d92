/**
 * `cluvio-gateway serve` (a real process, as operators run it) against a peer that completes TLS
 * on the agent port, never authenticates and never reads, and floods it with Pings, window
 * updates, or streams opened and reset at once — reconnecting whenever the gateway drops it —
 * while a real agent (the reference agent 1.3.0) is connected and relays through a route, and an
 * operator uses the admin API (issue 16). Before the fix one such peer froze every agent, route and
 * admin call for 35–40 s, until the handshake timeout got to run, and kept it frozen by
 * reconnecting; the gateway logged a line (of up to 512 KiB) per message it sent.
 *
 * Bounds, an order of magnitude from the broken behaviour: every admin call and every echo round
 * trip through the route within 2 s throughout (broken: 35–40 s), the agent online on the same
 * connection, the gateway's CPU below half a core and its memory growth bounded, each attacker
 * connection ended by the pre-authentication limits (1,000 frames; 10 s to a Hello) or its own
 * reconnect, and the gateway's log about the attackers at most its budget (50 lines, then 1 a
 * second) however many connections and frames they sent.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeClientMessage, encodeFrame, freshMessageId } from '../../src/tunnel/codec/index.js';
import { Flag, FrameType } from '../../src/tunnel/mux/frame-header.js';
import { REFERENCE_AGENT, spawnAgent } from '../support/reference-agent.js';
import { frame } from '../unit/mux/support/raw-peer.js';
import { echoTarget } from '../unit/agent/support/targets.js';
import type { Cleanups } from './support/hostile-gateway.js';
import { freePort, initGateway, serveGateway } from './support/gateway-process.js';
import { watchProcess } from './support/process-watch.js';
import {
  FLOOD_BATCH,
  type Flood,
  OPEN_AND_RESET_FLOOD,
  PING_FLOOD,
  repeatedFrames,
  WINDOW_UPDATE_FLOOD,
} from './support/frame-floods.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KIB = 1024;
const MIB = 1024 * KIB;
const ATTACK_MS = 20_000;
const RESPONSIVE_BOUND_MS = 2_000;
const CPU_BOUND = 0.5;
const RSS_BOUND = 96 * MIB;
/** peer-log.ts: 50 lines at once, then one a second, for every unauthenticated peer together. */
const LOG_LINES_BOUND = 50 + ATTACK_MS / 1000 + 10;

/** A framed `Client::Error` with a 1 KiB text: a message the gateway logs (and used to log whole, each time). */
function errorMessage(): Buffer {
  return Buffer.from(
    encodeFrame(
      encodeClientMessage({
        id: freshMessageId(),
        data: { type: 'Error', re: freshMessageId(), code: null, msg: 'x'.repeat(1024) },
      }),
    ),
  );
}

const ERROR_MESSAGE_FLOOD: Flood = {
  name: 'Error messages with a 1 KiB text on its control stream',
  opening: frame(FrameType.Data, Flag.SYN, 1, errorMessage()),
  batch: () => repeatedFrames(() => frame(FrameType.Data, 0, 1, errorMessage()), FLOOD_BATCH / 10),
};

const FLOODS: readonly Flood[] = [PING_FLOOD, WINDOW_UPDATE_FLOOD, ERROR_MESSAGE_FLOOD, OPEN_AND_RESET_FLOOD];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isOpen(socket: tls.TLSSocket): boolean {
  return !socket.destroyed;
}

/** Resolves on `event` or once the socket has closed (never rejects: a reset is what we expect). */
function eventOrClose(socket: tls.TLSSocket, event: string): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off(event, done);
      socket.off('close', done);
      resolve();
    };
    socket.on(event, done);
    socket.on('close', done);
  });
}

/** One attacker: connects, never reads, floods; connects again whenever the gateway drops it. */
function attacker(port: number, flood: Flood, over: () => boolean): { connections: () => number; done: Promise<void> } {
  let connections = 0;
  const done = (async () => {
    while (!over()) {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
      socket.on('error', () => undefined);
      await eventOrClose(socket, 'secureConnect');
      if (socket.destroyed) continue;
      connections += 1;
      socket.pause(); // never reads
      if (flood.opening !== undefined) socket.write(flood.opening);
      let id = -1;
      const next = (): number => (id += 2);
      while (!over() && isOpen(socket)) {
        if (socket.write(flood.batch(next))) await new Promise((resolve) => setImmediate(resolve));
        // Blocked: the gateway stopped reading (or is closing). Wait for it to drain or to drop us.
        else await Promise.race([eventOrClose(socket, 'drain'), sleep(1_000)]);
      }
      socket.destroy();
    }
  })();
  return { connections: () => connections, done };
}

describe('cluvio-gateway against an unauthenticated peer that never reads', () => {
  it.each(FLOODS)(
    'floods $name for 20 s, reconnecting: the agent, its route and the admin API stay served; CPU, memory and log bounded',
    async (flood) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'cluvio-unauth-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const echo = await echoTarget();
      cleanups.push(() => echo.close());
      const port = await freePort();
      const routePort = await freePort();
      const { gatewayToml, agentToml } = await initGateway(
        dir,
        port,
        `[[route]]\nlisten = "127.0.0.1:${routePort}"\nagent = "agent"\ntarget = "127.0.0.1:${echo.port}"\n`,
      );
      const gateway = await serveGateway(gatewayToml, dir);
      cleanups.push(async () => {
        if (gateway.child.exitCode === null && gateway.child.signalCode === null) {
          gateway.child.kill('SIGTERM');
          await once(gateway.child, 'close');
        }
      });
      const agent = await spawnAgent(REFERENCE_AGENT, agentToml, { logFilter: 'info' });
      cleanups.push(() => agent.stop());
      await gateway.waitFor(/agent accepted/);
      const admin = await gateway.admin();
      const agentsUrl = `${admin.url}/v1/agents`;
      const adminCall = async (): Promise<{ ms: number; online: boolean }> => {
        const started = performance.now();
        const response = await fetch(agentsUrl, {
          headers: { authorization: `Bearer ${admin.token}` },
          signal: AbortSignal.timeout(10_000),
        });
        const agents = (await response.json()) as { online: boolean; currentConnectionId: number | null }[];
        return { ms: performance.now() - started, online: agents[0]?.online === true };
      };
      const before = await adminCall();
      expect(before.online).toBe(true);
      const connectionBefore = (
        (await (await fetch(agentsUrl, { headers: { authorization: `Bearer ${admin.token}` } })).json()) as {
          currentConnectionId: number;
        }[]
      )[0]?.currentConnectionId;

      // A client of the route: one echo round trip after the other.
      const client = net.connect({ host: '127.0.0.1', port: routePort });
      const clientErrors: Error[] = [];
      client.on('error', (error) => clientErrors.push(error));
      client.setNoDelay(true);
      await once(client, 'connect');
      let echoSlowest = 0;
      let echoes = 0;
      const roundTrip = async (): Promise<void> => {
        const started = performance.now();
        const reply = once(client, 'data');
        client.write('ping');
        await Promise.race([reply, sleep(10_000)]);
        echoSlowest = Math.max(echoSlowest, performance.now() - started);
        echoes += 1;
      };
      await roundTrip();
      echoSlowest = 0;

      const logBefore = gateway.output().length;
      const attack = { over: false };
      const watch = watchProcess({ pid: gateway.child.pid ?? 0 });
      const attackers = Array.from({ length: 2 }, () => attacker(port, flood, () => attack.over));
      let adminSlowest = 0;
      let adminCalls = 0;
      let offline = 0;
      const operator = (async () => {
        while (!attack.over) {
          const call = await adminCall().catch(() => ({ ms: 10_000, online: false }));
          adminSlowest = Math.max(adminSlowest, call.ms);
          adminCalls += 1;
          if (!call.online) offline += 1;
          await roundTrip();
          await sleep(200);
        }
      })();
      await sleep(ATTACK_MS);
      attack.over = true;
      await operator;
      const seen = await watch.stop();
      await Promise.all(attackers.map((a) => a.done));
      client.destroy();
      const attackerConnections = attackers.reduce((sum, a) => sum + a.connections(), 0);
      const log = gateway.output().slice(logBefore).split('\n');
      const aboutAttackers = log.filter(
        (line) =>
          /cluvio_gateway::(connection|server)/.test(line) &&
          !/agent="?[A-Za-z0-9_-]{43}/.test(line) &&
          line.trim() !== '',
      );
      const longest = Math.max(0, ...log.map((line) => line.length));
      console.log(
        `cluvio-gateway, ${flood.name}: ${attackerConnections} attacker connections, ${seen.cores.toFixed(2)} cores, RSS +${((seen.rssMax - seen.rssBefore) / MIB).toFixed(1)} MiB,` +
          ` slowest admin call ${adminSlowest.toFixed(0)} ms (${adminCalls}), slowest echo ${echoSlowest.toFixed(0)} ms (${echoes}),` +
          ` ${aboutAttackers.length} log lines about them (longest line ${longest})`,
      );

      expect(clientErrors).toEqual([]);
      expect(attackerConnections).toBeGreaterThan(0);
      expect(adminCalls).toBeGreaterThan(10);
      expect(adminSlowest, 'slowest admin call, ms').toBeLessThan(RESPONSIVE_BOUND_MS);
      expect(echoSlowest, 'slowest echo through the route, ms').toBeLessThan(RESPONSIVE_BOUND_MS);
      expect(offline, 'admin calls that found the agent offline').toBe(0);
      expect(seen.cores, 'gateway CPU, cores').toBeLessThan(CPU_BOUND);
      expect(seen.rssMax - seen.rssBefore, 'gateway RSS growth').toBeLessThan(RSS_BOUND);
      expect(aboutAttackers.length, aboutAttackers.slice(0, 5).join('\n')).toBeLessThan(LOG_LINES_BOUND);
      expect(longest, 'longest log line').toBeLessThan(2 * KIB);
      // The agent is still on the connection it had, and the gateway answers.
      const after = (await (
        await fetch(agentsUrl, { headers: { authorization: `Bearer ${admin.token}` } })
      ).json()) as { currentConnectionId: number }[];
      expect(after[0]?.currentConnectionId).toBe(connectionBefore);
      expect((await adminCall()).online).toBe(true);
      expect(agent.child.exitCode).toBeNull();
    },
    120_000,
  );
});

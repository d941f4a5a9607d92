/**
 * What a connection may cost the gateway before its agent authenticates (issue 16): time to its
 * Hello, frames, bytes — beyond, the connection ends with the reason reported — and the log
 * about such connections, rationed gateway-wide and per connection with its fields cut. An
 * authenticated agent is not held to any of it.
 */
import { once } from 'node:events';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { PEER_FIELD_LIMIT, PeerLog, UnauthenticatedLogBudget } from '../../../src/gateway/peer-log.js';
import type { RejectedEvent } from '../../../src/gateway/gateway.js';
import { LogHub } from '../../../src/tunnel/log/index.js';
import type { LogRecord } from '../../../src/shared/log-record.js';
import { Flag, FrameType } from '../../../src/tunnel/mux/frame-header.js';
import { type GatewayFixture, nextGatewayEvent, quietGatewayFixture } from '../../support/gateway-fixture.js';
import { frame } from '../mux/support/raw-peer.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tlsPeer(fixture: GatewayFixture): Promise<tls.TLSSocket> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: fixture.port,
    servername: fixture.host,
    ca: fixture.ca.certPem,
    minVersion: 'TLSv1.3',
  });
  socket.on('error', () => undefined);
  cleanups.push(() => {
    socket.destroy();
    return Promise.resolve();
  });
  await once(socket, 'secureConnect');
  return socket;
}

function pings(count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, i) => frame(FrameType.Ping, Flag.SYN, 0, i)));
}

describe('before the agent authenticates', () => {
  it('no Hello within helloTimeoutMs: the connection ends, rejected as a handshake timeout', async () => {
    const fixture = await quietGatewayFixture(cleanups, { preAuth: { helloTimeoutMs: 300 } });
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const socket = await tlsPeer(fixture);
    socket.resume();
    const event: RejectedEvent = await rejected;
    expect(event).toMatchObject({ reason: 'handshake-timeout', detail: 'no Hello within 300 ms', agentId: null });
    await once(socket, 'close');
  });

  it('more than `frames` frames: GoAway, rejected as a protocol error saying so', async () => {
    const fixture = await quietGatewayFixture(cleanups, { preAuth: { frames: 100 } });
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const socket = await tlsPeer(fixture);
    socket.write(pings(101));
    expect(await rejected).toMatchObject({
      reason: 'protocol-error',
      detail: 'the peer sent more than 100 frames before authenticating',
    });
  });

  it('more than `bytes` bytes: the same', async () => {
    const fixture = await quietGatewayFixture(cleanups, { preAuth: { bytes: 4096 } });
    const rejected = nextGatewayEvent(fixture.gateway, 'agent-rejected');
    const socket = await tlsPeer(fixture);
    // A control frame that announces 64 KiB (below the 512 KiB CBOR limit) and sends 5 KiB of it.
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(64 * 1024);
    socket.write(frame(FrameType.Data, Flag.SYN, 1, Buffer.concat([prefix, Buffer.alloc(5 * 1024, 7)])));
    expect(await rejected).toMatchObject({
      reason: 'protocol-error',
      detail: 'the peer sent more than 4096 bytes before authenticating',
    });
  });

  it('an authenticated agent is held to none of it: 500 messages after Accepted, all answered', async () => {
    const fixture = await quietGatewayFixture(cleanups, { preAuth: { frames: 20, bytes: 4096, helloTimeoutMs: 300 } });
    const keys = fixture.addAgent();
    const agent = await ScriptedAgent.connect(fixture);
    cleanups.push(() => agent.close());
    await agent.handshake(keys);
    await new Promise((resolve) => setTimeout(resolve, 500)); // past the Hello timeout
    for (let i = 0; i < 500; i += 1) await agent.send({ type: 'Ping' });
    for (let i = 0; i < 500; i += 1) await agent.expect('Pong');
    expect(fixture.gateway.agents()[0]?.online).toBe(true);
  });
});

describe('the log about unauthenticated peers', () => {
  it('is rationed gateway-wide (burst, then per second) and per connection, says how many lines it dropped, and cuts fields', () => {
    const hub = new LogHub();
    const records: LogRecord[] = [];
    hub.subscribe((record) => records.push(record));
    let now = 0;
    const budget = new UnauthenticatedLogBudget(10, 1, () => now);
    const connections = Array.from(
      { length: 20 },
      () => new PeerLog(hub.logger('cluvio_gateway::connection'), budget, 3),
    );
    // 20 connections × 100 lines each: 10 pass (the burst), each connection's first ones.
    for (const log of connections) for (let i = 0; i < 100; i += 1) log.warn('junk', { msg: 'x'.repeat(100_000) });
    expect(records).toHaveLength(10);
    expect(records.every((r) => typeof r.fields.msg === 'string' && r.fields.msg.length <= PEER_FIELD_LIMIT)).toBe(
      true,
    );
    // Two seconds later: two more lines. Each line written after drops says how many (`unlogged`):
    // together, every line not written.
    now = 2_000;
    const fresh = new PeerLog(hub.logger('cluvio_gateway::connection'), budget, 3);
    for (let i = 0; i < 5; i += 1) fresh.warn('junk');
    expect(records).toHaveLength(12);
    const unlogged = records.reduce(
      (sum, r) => sum + (typeof r.fields.unlogged === 'number' ? r.fields.unlogged : 0),
      0,
    );
    expect(unlogged).toBe(20 * 100 - 10);
    // A connection over its own cap (3) logs nothing more, even with budget left.
    now = 60_000;
    for (let i = 0; i < 5; i += 1) fresh.warn('junk');
    expect(records).toHaveLength(13);
  });

  it('is not rationed once the agent is trusted (its fields are still cut)', () => {
    const hub = new LogHub();
    const records: LogRecord[] = [];
    hub.subscribe((record) => records.push(record));
    const log = new PeerLog(hub.logger('cluvio_gateway::connection'), new UnauthenticatedLogBudget(1, 0), 1);
    log.trust();
    for (let i = 0; i < 100; i += 1) log.info('fine', { detail: 'y'.repeat(1_000) });
    expect(records).toHaveLength(100);
    expect(String(records[0]?.fields.detail).length).toBeLessThanOrEqual(PEER_FIELD_LIMIT);
  });
});

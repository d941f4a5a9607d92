/**
 * The other side of hostile-gateway.test.ts: our gateway (`cluvio-gateway`, which people
 * self-host) against peers that connect to its agent port and misbehave at the yamux level —
 * overrunning the control stream's window, opening streams by the thousand, announcing a 2 GiB
 * frame, sending a CBOR frame above 512 KiB, or opening TLS connections and then saying nothing.
 * Each such connection ends on its own (with the protocol's GoAway code where there is one);
 * a well-behaved agent on the same gateway keeps being served throughout, and the gateway holds
 * no more connections than the well-behaved one afterwards.
 * (test/unit/gateway/bad-input.test.ts covers random bytes and random control frames.)
 */
import { once } from 'node:events';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRE_AUTH_LIMITS } from '../../src/gateway/agent-connection.js';
import type { KeyPair } from '../../src/tunnel/auth/index.js';
import { Flag, FrameType, GoAwayCode } from '../../src/tunnel/mux/frame-header.js';
import { type GatewayFixture, startGatewayFixture, waitUntil } from '../support/gateway-fixture.js';
import { ScriptedAgent } from '../unit/gateway/support/scripted-agent.js';
import { frame, parseFrames } from '../unit/mux/support/raw-peer.js';

const KIB = 1024;

let fixture: GatewayFixture;
let keys: KeyPair;
let good: ScriptedAgent;

beforeAll(async () => {
  fixture = await startGatewayFixture({ pingIntervalMs: 0, handshakeTimeoutMs: 3_000, terminateLingerMs: 100 });
  keys = fixture.addAgent('steady');
  good = await ScriptedAgent.connect(fixture);
  await good.handshake(keys);
});

afterAll(async () => {
  await good.close();
  await fixture.close();
});

async function stillServed(): Promise<void> {
  const id = await good.send({ type: 'Ping' });
  expect((await good.expect('Pong')).data.re).toBe(id);
  expect(fixture.gateway.agents().find((agent) => agent.id === keys.agentId)?.online).toBe(true);
}

interface RawConnection {
  readonly socket: tls.TLSSocket;
  received(): Buffer;
  readonly closed: Promise<void>;
}

async function rawConnection(): Promise<RawConnection> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: fixture.port,
    servername: fixture.host,
    ca: fixture.ca.certPem,
    minVersion: 'TLSv1.3',
  });
  socket.on('error', () => undefined);
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      resolve();
    }),
  );
  await once(socket, 'secureConnect');
  return { socket, received: () => received, closed };
}

function goAwayCodes(connection: RawConnection): number[] {
  return parseFrames(connection.received())
    .filter((f) => f.type === FrameType.GoAway)
    .map((f) => f.length);
}

/** Writes, then waits for the gateway to end the connection. */
async function sendAndWaitForClose(connection: RawConnection, bytes: Buffer): Promise<void> {
  connection.socket.write(bytes);
  await connection.closed;
}

describe('our gateway against hostile agent connections', () => {
  it('overrunning the control stream window: GoAway(protocol error), that connection only', async () => {
    const peer = await rawConnection();
    // Stream 1 opened with one Data frame larger than the 256 KiB window.
    await sendAndWaitForClose(peer, frame(FrameType.Data, Flag.SYN, 1, Buffer.alloc(256 * KIB + 1, 0)));
    expect(goAwayCodes(peer)).toContain(GoAwayCode.ProtocolError);
    await stillServed();
  });

  it('opening 20,000 streams before authenticating: the first are reset, the connection ends at the pre-authentication frame limit (GoAway protocol error), and the log does not grow with them', async () => {
    const from = fixture.logs.length;
    const peer = await rawConnection();
    const batch: Buffer[] = [];
    for (let id = 1; id <= 40_000; id += 2) batch.push(frame(FrameType.Data, Flag.SYN, id, Buffer.alloc(0)));
    await sendAndWaitForClose(peer, Buffer.concat(batch));
    const resets = parseFrames(peer.received()).filter((f) => (f.flags & Flag.RST) !== 0).length;
    expect(resets).toBeGreaterThan(500);
    expect(resets).toBeLessThanOrEqual(DEFAULT_PRE_AUTH_LIMITS.frames);
    expect(goAwayCodes(peer)).toEqual([GoAwayCode.ProtocolError]);
    // 12 bytes from an unauthenticated peer must not buy a log line each (a self-hosted gateway's disk).
    const records = fixture.logs.slice(from).filter((r) => r.level !== 'trace' && r.level !== 'debug');
    expect(
      records.length,
      records
        .slice(0, 5)
        .map((r) => r.message)
        .join('\n'),
    ).toBeLessThan(20);
    await stillServed();
  });

  it('a yamux frame announcing a 2 GiB body: GoAway(protocol error), that connection only', async () => {
    const peer = await rawConnection();
    await sendAndWaitForClose(
      peer,
      Buffer.concat([frame(FrameType.Data, Flag.SYN, 1, 0x7fff_ffff), Buffer.alloc(64 * KIB, 1)]),
    );
    expect(goAwayCodes(peer)).toContain(GoAwayCode.ProtocolError);
    await stillServed();
  });

  it('a control-stream CBOR frame above 512 KiB is refused before its body: that connection only', async () => {
    const peer = await rawConnection();
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(512 * KIB + 1);
    await sendAndWaitForClose(peer, frame(FrameType.Data, Flag.SYN, 1, Buffer.concat([prefix, Buffer.alloc(1024, 7)])));
    await stillServed();
  });

  it('100 connections that complete TLS and then say nothing are closed by the handshake timeout', async () => {
    const idle = await Promise.all(Array.from({ length: 100 }, () => rawConnection()));
    await waitUntil(() => fixture.gateway.connections().length >= 101, 'the gateway to see every idle connection');
    await Promise.all(idle.map((c) => c.closed));
    await waitUntil(() => fixture.gateway.connections().length === 1, 'only the steady agent left');
    await stillServed();
  });
});

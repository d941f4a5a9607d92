/**
 * Faults on the private-network side: a target database that resets (RST) or closes (FIN) one
 * connection in the middle of a transfer, and a target name that does not resolve. Each must end
 * only its own stream: the other transfers through the same agent connection go on with every
 * byte intact, the agent stays online on the same connection.
 *
 * The scenarios run against our engine (in process, so its counters can be checked too) and
 * against the real reference agent (as a process), through the same gateway.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayFixture } from '../support/gateway-fixture.js';
import { startGatewayFixture } from '../support/gateway-fixture.js';
import { StreamOpenError } from '../../src/gateway/errors.js';
import type { MuxStream } from '../../src/tunnel/mux/index.js';
import { parseAgentConfig } from '../../src/tunnel/config/agent-config.js';
import { REFERENCE_AGENT, spawnAgent } from '../support/reference-agent.js';
import { startAgent, type AgentHarness } from '../unit/agent/support/agent-harness.js';
import { startTarget } from '../unit/agent/support/targets.js';
import { until } from '../unit/agent/support/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const STREAMS = 8;
const RESET = 3;
const CLOSED = 5;

/** Byte `position` of stream `index`'s payload: every stream's bytes differ, and so do positions. */
function expectedByte(index: number, position: number): number {
  return position === 0 ? index : (position * 31 + index * 7) % 251;
}

function payload(index: number, from: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) out[i] = expectedByte(index, from + i);
  return out;
}

/** One transfer: writes the stream's pattern, checks every echoed byte against it. */
class Transfer {
  sent = 0;
  echoed = 0;
  corrupt = false;
  ended = false;
  failed: Error | null = null;
  #writing = true;

  constructor(
    readonly index: number,
    readonly stream: MuxStream,
  ) {
    stream.on('data', (data: Buffer) => {
      for (let i = 0; i < data.length; i += 1)
        if (data[i] !== expectedByte(index, this.echoed + i)) this.corrupt = true;
      this.echoed += data.length;
    });
    stream.on('end', () => (this.ended = true));
    stream.on('error', (error: Error) => (this.failed = error));
    stream.on('close', () => (this.ended = true));
    this.#write();
  }

  #write = (): void => {
    while (this.#writing && !this.stream.destroyed && !this.stream.writableEnded) {
      const chunk = payload(this.index, this.sent, 8 * 1024);
      this.sent += chunk.length;
      if (!this.stream.write(chunk)) {
        this.stream.once('drain', this.#write);
        return;
      }
    }
  };

  stopWriting(): void {
    this.#writing = false;
  }
}

/** Echo target; a connection is known by the first byte its client sends (the stream index). */
async function labelledEcho(): Promise<{ port: number; byLabel: Map<number, net.Socket>; close(): Promise<void> }> {
  const byLabel = new Map<number, net.Socket>();
  const target = await startTarget((socket) => {
    socket.once('data', (first: Buffer) => {
      byLabel.set(first[0] ?? -1, socket);
      socket.write(first);
      socket.pipe(socket);
    });
  });
  return { port: target.port, byLabel, close: () => target.close() };
}

async function mixedFaults(
  fixture: GatewayFixture,
  agentId: string,
): Promise<{ transfers: Transfer[]; dnsFailure: unknown }> {
  const echo = await labelledEcho();
  cleanups.push(() => echo.close());
  const transfers: Transfer[] = [];
  for (let index = 0; index < STREAMS; index += 1) {
    transfers.push(new Transfer(index, await fixture.gateway.openStream(agentId, `127.0.0.1:${echo.port}`)));
  }
  await until(
    () => echo.byLabel.size === STREAMS && transfers.every((t) => t.echoed > 256 * 1024),
    'every transfer under way',
  );

  echo.byLabel.get(RESET)?.resetAndDestroy(); // the database resets one connection
  const closing = echo.byLabel.get(CLOSED);
  closing?.unpipe(closing);
  closing?.end(); // and closes another one in an orderly way
  // While those end, a stream to a name that does not resolve is refused.
  const dnsFailure = await fixture.gateway.openStream(agentId, 'db.does-not-exist.invalid:5432').then(
    (stream) => {
      stream.destroy();
      return null;
    },
    (error: unknown) => error,
  );

  const faulted = [transfers[RESET], transfers[CLOSED]].filter((t): t is Transfer => t !== undefined);
  await until(() => faulted.every((t) => t.ended), 'the two faulted streams to end');
  // The others keep going: more bytes through each, then everything sent comes back intact.
  const others = transfers.filter((t) => !faulted.includes(t));
  const marks = others.map((t) => t.echoed);
  await until(() => others.every((t, i) => t.echoed > (marks[i] ?? 0) + 256 * 1024), 'the other transfers to go on');
  for (const t of others) t.stopWriting();
  await until(() => others.every((t) => t.echoed === t.sent), 'every byte of the other transfers echoed');
  for (const t of transfers) t.stream.destroy();
  return { transfers, dnsFailure };
}

function expectOnlyFaultedStreamsEnded(transfers: readonly Transfer[]): void {
  for (const t of transfers) {
    expect(t.corrupt, `stream ${t.index}: bytes intact`).toBe(false);
    if (t.index === RESET || t.index === CLOSED) continue;
    expect(t.failed, `stream ${t.index} kept going`).toBeNull();
    expect(t.echoed, `stream ${t.index}: everything sent came back`).toBe(t.sent);
  }
}

function expectCouldNotConnect(failure: unknown): void {
  // The reference may put its RST before the reply (yamux 0.10; docs/gateway.md): a reset without reply is its refusal too.
  expect(failure).toBeInstanceOf(StreamOpenError);
  const error = failure as StreamOpenError;
  if (error.outcome === 'refused') expect(error.errorCode).toBe('CouldNotConnect');
  else expect(error.outcome).toBe('reset-without-reply');
}

describe('target faults: our engine (in process)', () => {
  it('a target reset and a target close mid-stream end only their streams; a name that does not resolve is refused CouldNotConnect; the rest goes on intact', async () => {
    const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
    cleanups.push(() => fixture.close());
    const keys = fixture.addAgent();
    const h: AgentHarness = startAgent(
      parseAgentConfig(fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.0/8', '*.invalid'] }), {
        file: null,
        env: {},
      }),
      {},
      cleanups,
    );
    const connection = await fixture.gateway.waitForAgent(keys.agentId);

    const { transfers, dnsFailure } = await mixedFaults(fixture, keys.agentId);
    expectOnlyFaultedStreamsEnded(transfers);
    expect(dnsFailure).toBeInstanceOf(StreamOpenError);
    expect(dnsFailure).toMatchObject({ outcome: 'refused', errorCode: 'CouldNotConnect' });

    // Still the same connection, online; the reset counts as a failed stream, the DNS failure as a refusal.
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(connection.id);
    expect(h.agent.snapshot().state.phase).toBe('online');
    expect(h.agent.snapshot().counters.reconnects).toBe(0);
    await until(() => h.agent.snapshot().counters.streamsOpen === 0, 'every stream closed');
    const rows = h.agent.streams();
    expect(rows).toHaveLength(STREAMS + 1);
    expect(rows.find((r) => r.target.startsWith('db.does-not-exist.invalid'))).toMatchObject({ phase: 'closed' });
    expect(
      h.logs.some(
        (r) => r.level === 'warn' && r.message.startsWith('failed to connect to db.does-not-exist.invalid:5432'),
      ),
    ).toBe(true);
  }, 60_000);
});

describe('target faults: the reference agent (process)', () => {
  it('the same faults end only their own streams there too', async () => {
    const fixture = await startGatewayFixture({ pingIntervalMs: 0 });
    cleanups.push(() => fixture.close());
    const keys = fixture.addAgent();
    const agent = await spawnAgent(
      REFERENCE_AGENT,
      fixture.agentConfigToml(keys, { allowedAddresses: ['127.0.0.0/8', '*.invalid'] }),
    );
    cleanups.push(() => agent.stop());
    const connection = await fixture.gateway.waitForAgent(keys.agentId);
    const { transfers, dnsFailure } = await mixedFaults(fixture, keys.agentId);
    expectOnlyFaultedStreamsEnded(transfers);
    expectCouldNotConnect(dnsFailure);
    expect(fixture.gateway.agents()[0]?.currentConnectionId).toBe(connection.id);
    expect(agent.child.exitCode).toBeNull();
  }, 60_000);
});
